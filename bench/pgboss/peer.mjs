// pg-boss 12 doing Herald's job, honestly tuned, for bench/run: one job per delivery, grouped by endpoint
// (group concurrency 10 across nodes), a 100-per-minute sliding window per endpoint, batch fetch with burst,
// LISTEN/NOTIFY, retries after about 4, 8 and 10 s (exponential backoff from 4 s capped at 10 s), and an
// attempt row per delivery. It posts with its fastest honest client, undici.request on a keep-alive Agent of 64
// connections (Node's global fetch costs it about half its rate), and signs every body as Herald does (Standard
// Webhooks: HMAC-SHA256 of "id.timestamp.body", base64, in webhook-signature), so both do the same work.
//
//   node peer.mjs send <postgresUrl> <sinkPort> <deliveries> <endpoints> [endpointPrefix]
//   node peer.mjs work <postgresUrl> [groupConcurrency] [perMinute]
import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { request } from 'undici';
import { keepAliveAgent, minuteWindow, signer } from './peer-common.mjs';

const [mode, url] = process.argv.slice(2);
const QUEUE = 'deliveries';

const boss = new PgBoss({ connectionString: url, useListenNotify: true, max: 20 });
boss.on('error', (error) => console.error('pg-boss:', error.message));
await boss.start();
await boss.createQueue(QUEUE, { notify: true, retryLimit: 3, retryDelay: 4, retryBackoff: true, retryDelayMax: 10 })
  .catch(() => {});

if (mode === 'send') {
  const [sinkPort, deliveries, endpoints, prefix = '/e'] = process.argv.slice(4);
  const total = Number(deliveries);
  let sent = 0;
  while (sent < total) {
    const jobs = [];
    const now = Date.now();
    for (let i = sent; i < Math.min(total, sent + 500); i++) {
      const endpoint = i % Number(endpoints);
      jobs.push({
        data: {
          url: `http://127.0.0.1:${sinkPort}${prefix}${endpoint}`,
          body: `{"id": ${i}, "providerId": ${endpoint}, "channelType": 1, "deliveryStatus": 5, "data": {"to": "bench@example.com"}, "sentAt":${now}}`,
        },
        group: { id: String(endpoint) },
      });
    }
    await boss.insert(QUEUE, jobs);
    sent += jobs.length;
  }
  console.log(`SENT ${sent}`);
  await boss.stop({ graceful: false });
} else {
  const groupConcurrency = Number(process.argv[4] ?? 10);
  const perMinute = Number(process.argv[5] ?? 100);
  const db = new pg.Pool({ connectionString: url, max: 10 });
  await db.query(`CREATE TABLE IF NOT EXISTS bench_peer_attempt (
      job_id uuid NOT NULL, attempted_at timestamptz NOT NULL, duration_ms int NOT NULL, status_code int, error text)`);
  const agent = keepAliveAgent();
  const sign = signer();
  const slot = minuteWindow(perMinute);

  await boss.work(QUEUE, {
    batchSize: 50, localConcurrency: 4, groupConcurrency, burstWhenBatchFull: true,
    pollingIntervalSeconds: 0.5, perJobResults: true,
  }, async (jobs) => {
    const attempts = [];
    const results = await Promise.all(jobs.map(async (job) => {
      await slot(job.data.url);
      const started = Date.now();
      let status = null;
      let error = null;
      try {
        const id = `msg_${job.id}`;
        const timestamp = String(Math.floor(started / 1000));
        const answer = await request(job.data.url, {
          method: 'POST', body: job.data.body, dispatcher: agent, headersTimeout: 30_000, bodyTimeout: 30_000,
          headers: {
            'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp,
            'webhook-signature': sign(id, timestamp, job.data.body),
          },
        });
        await answer.body.arrayBuffer();
        status = answer.statusCode;
        if (status < 200 || status > 299) error = `http_${status}`;
      } catch (failure) {
        error = /Timeout/.test(failure.name) || /TIMEOUT/.test(failure.code ?? '') ? 'timeout' : 'network';
      }
      attempts.push([job.id, new Date(started), Date.now() - started, status, error]);
      return { id: job.id, status: error ? 'failed' : 'completed' };
    }));
    const values = attempts.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
    await db.query(`INSERT INTO bench_peer_attempt VALUES ${values.join(', ')}`, attempts.flat());
    return results;
  });
  console.log('WORKING');
}
