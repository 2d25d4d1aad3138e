// What both peers (bench/pgboss, bench/graphile) do per delivery the way Herald does it: sign the body (Standard
// Webhooks: HMAC-SHA256 of "id.timestamp.body", base64), post on a keep-alive undici Agent of 64 connections, and
// hold each endpoint to `perMinute` attempts started in any 60 s. bench/run copies it beside each peer.
import { createHmac, randomBytes } from 'node:crypto';
import { Agent } from 'undici';

export function keepAliveAgent() {
  return new Agent({ connections: 64, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
}

/** A signing function with one secret, as a webhook's whsec_ holds 24 bytes. */
export function signer() {
  const secret = randomBytes(24);
  return (id, timestamp, body) =>
    'v1,' + createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** slot(endpoint) resolves once the endpoint may start another attempt within `perMinute` a sliding minute. */
export function minuteWindow(perMinute) {
  const windows = new Map(); // endpoint -> sorted start times (ms) in the last 60 s
  return async function slot(endpoint) {
    for (;;) {
      const now = Date.now();
      const starts = (windows.get(endpoint) ?? []).filter((t) => t > now - 60_000);
      if (starts.length < perMinute) {
        starts.push(now);
        windows.set(endpoint, starts);
        return;
      }
      windows.set(endpoint, starts);
      await new Promise((resolve) => setTimeout(resolve, starts[0] + 60_000 - now));
    }
  };
}
