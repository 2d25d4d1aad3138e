// graphile-worker doing Herald's job, honestly tuned, for bench/run: one job per delivery in a named queue per
// endpoint (graphile-worker runs one job of a named queue at a time: its only per-key in-flight cap), a
// 100-per-minute sliding window per endpoint in the worker's memory, its documented fastest settings (local queue of
// 500, batched completions and failures), LISTEN/NOTIFY (its own, always on), retries 4, 8 and 10 s after the
// attempt before (a new job with run_at: its own backoff is exp(attempts) seconds, 2.7, 7.4, 20 s), and an attempt
// row per delivery, written in batches. It posts like the pg-boss peer: undici.request on a keep-alive Agent of 64
// connections, every body signed as Herald does (Standard Webhooks: HMAC-SHA256 of "id.timestamp.body", base64, in
// webhook-signature).
//
//   node peer.mjs send <postgresUrl> <sinkPort> <deliveries> <endpoints> [endpointPrefix] [queues: endpoint|none]
//   node peer.mjs work <postgresUrl> [concurrentJobs] [perMinute]
//
// Every worker option goes under preset.worker: graphile-worker turns only a few legacy top-level options into its
// preset and ignores the rest (localQueue, completeJobBatchDelay, failJobBatchDelay among them). `work` prints the
// options as the library resolved them (resolvedPreset.worker, where its worker pool reads them) and the size of
// the local queue it built, before WORKING.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { request } from 'undici';
import { keepAliveAgent, minuteWindow, signer } from './peer-common.mjs';

process.env.NO_LOG_SUCCESS = '1'; // its documented switch for the log line of every successful job, read at import
const { run, makeWorkerUtils, Logger } = await import('graphile-worker');

const [mode, url] = process.argv.slice(2);
const TASK = 'deliver';
const RETRY_DELAYS_S = [4, 8, 10]; // after the first, second and third attempt
const quiet = new Logger(() => (level, message) => { if (level === 'error' || level === 'warning') console.error(message); });

if (mode === 'send') {
  const [sinkPort, deliveries, endpoints, prefix = '/e', queues = 'endpoint'] = process.argv.slice(4);
  const utils = await makeWorkerUtils({ preset: { worker: { connectionString: url, maxPoolSize: 2, logger: quiet } } });
  const total = Number(deliveries);
  let sent = 0;
  while (sent < total) {
    const jobs = [];
    const now = Date.now();
    for (let i = sent; i < Math.min(total, sent + 500); i++) {
      const endpoint = i % Number(endpoints);
      const path = `${prefix}${endpoint}`;
      jobs.push({
        identifier: TASK,
        queueName: queues === 'none' ? undefined : path, // none: no in-flight cap, for a closer look
        payload: {
          url: `http://127.0.0.1:${sinkPort}${path}`,
          body: `{"id": ${i}, "providerId": ${endpoint}, "channelType": 1, "deliveryStatus": 5, "data": {"to": "bench@example.com"}, "sentAt":${now}}`,
          attempt: 1,
        },
      });
    }
    await utils.addJobs(jobs); // one add_jobs call, one statement and transaction, for 500
    sent += jobs.length;
  }
  console.log(`SENT ${sent}`);
  await utils.release();
} else {
  const concurrentJobs = Number(process.argv[4] ?? 64);
  const perMinute = Number(process.argv[5] ?? 100);
  const db = new pg.Pool({ connectionString: url, max: 4 });
  await db.query(`CREATE TABLE IF NOT EXISTS bench_graphile_attempt (
      job_id bigint NOT NULL, attempted_at timestamptz NOT NULL, duration_ms int NOT NULL, status_code int, error text)`);
  const agent = keepAliveAgent();
  const sign = signer();
  const slot = minuteWindow(perMinute);

  // Attempt rows, batched as the pg-boss peer writes one INSERT per fetched batch: a row waits for the rows of the
  // other jobs that end in the same turn of the event loop, up to 50, and its job completes after their INSERT.
  let pending = [];
  let flushing = null;
  function recordAttempt(row) {
    pending.push(row);
    if (!flushing) {
      flushing = new Promise((resolve) => setImmediate(resolve)).then(async () => {
        const rows = pending;
        pending = [];
        flushing = null;
        for (let from = 0; from < rows.length; from += 50) {
          const batch = rows.slice(from, from + 50);
          const values = batch.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
          await db.query(`INSERT INTO bench_graphile_attempt VALUES ${values.join(', ')}`, batch.flat());
        }
      });
    }
    return flushing;
  }

  async function deliver(payload, helpers) {
    const { job } = helpers;
    const delivery = payload.delivery ?? job.id; // the first attempt's job: a retry is a job of its own
    await slot(payload.url);
    const started = Date.now();
    let status = null;
    let error = null;
    try {
      const id = `msg_${delivery}`; // one webhook-id for every attempt, as receivers dedupe by it
      const timestamp = String(Math.floor(started / 1000));
      const answer = await request(payload.url, {
        method: 'POST', body: payload.body, dispatcher: agent, headersTimeout: 30_000, bodyTimeout: 30_000,
        headers: {
          'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp,
          'webhook-signature': sign(id, timestamp, payload.body),
        },
      });
      await answer.body.arrayBuffer();
      status = answer.statusCode;
      if (status < 200 || status > 299) error = `http_${status}`;
    } catch (failure) {
      error = /Timeout/.test(failure.name) || /TIMEOUT/.test(failure.code ?? '') ? 'timeout' : 'network';
    }
    await recordAttempt([delivery, new Date(started), Date.now() - started, status, error]);
    if (error && payload.attempt <= RETRY_DELAYS_S.length) {
      // the next attempt as a new job in the same queue; this one then completes (its own retry would come after
      // exp(attempts) seconds)
      await helpers.addJob(TASK, { ...payload, delivery, attempt: payload.attempt + 1 }, {
        queueName: job.job_queue_id == null ? undefined : new URL(payload.url).pathname,
        runAt: new Date(Date.now() + RETRY_DELAYS_S[payload.attempt - 1] * 1000),
      });
    }
  }

  const events = new EventEmitter();
  let localQueueSize = 'none';
  events.on('localQueue:init', ({ localQueue }) => { localQueueSize = localQueue.getJobBatchSize; });
  events.on('pool:create', ({ ctx }) => {
    const w = ctx.resolvedPreset.worker;
    console.log(`CONFIG concurrentJobs=${w.concurrentJobs} maxPoolSize=${w.maxPoolSize} pollInterval=${w.pollInterval}`
      + ` localQueue.size=${w.localQueue?.size} completeJobBatchDelay=${w.completeJobBatchDelay}`
      + ` failJobBatchDelay=${w.failJobBatchDelay} preparedStatements=${w.preparedStatements}`);
  });
  const runner = await run({
    taskList: { [TASK]: deliver },
    parsedCronItems: [],
    preset: {
      worker: {
        connectionString: url,
        logger: quiet,
        events,
        // the performance page's configuration (its concurrency excepted: see the argument), as an operator after
        // throughput sets it
        concurrentJobs,
        maxPoolSize: concurrentJobs + 1,
        localQueue: { size: 500 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
        pollInterval: 2000,
      },
    },
  });
  console.log(`LOCAL_QUEUE size=${localQueueSize} workers=${concurrentJobs}`);
  console.log('WORKING');
  await runner.promise;
}
