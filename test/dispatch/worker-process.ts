// A dispatch worker in its own process on a shared database, for the crash test and the dispatch benchmark.
// Usage: node --import tsx worker-process.ts DATABASE_URL WORKER_ID [--lease-ms N] [--batch N] [--concurrency N]
//          [--concurrent-requests N] [--upstream table|memory] [--hang-after-submit]
// Prints one JSON line per event on stdout: ready; submitted (with --hang-after-submit: the batch was handed over and
// its outcome will never be recorded, the moment to kill it); stopped (after SIGTERM, with what it took over).
import { parseArgs } from 'node:util';
import type { ProviderAdapter } from '../../src/dispatch/provider.js';
import { createSandboxProvider } from '../../src/dispatch/providers/sandbox/adapter.js';
import { createMemorySandboxUpstream } from '../../src/dispatch/providers/sandbox/upstream.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { type DispatchLogger, startWorker } from '../../src/dispatch/worker.js';
import { createDb } from '../../src/store/db.js';
import { createTableSandboxUpstream } from '../../src/store/sandbox-upstream.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'lease-ms': { type: 'string', default: '30000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    'concurrent-requests': { type: 'string' },
    upstream: { type: 'string', default: 'table' },
    'hang-after-submit': { type: 'boolean', default: false },
  },
});
const [url, workerId] = positionals;
if (!url || !workerId) throw new Error('usage: worker-process.ts DATABASE_URL WORKER_ID [options]');

function say(event: string, fields: object = {}): void {
  process.stdout.write(`${JSON.stringify({ event, workerId, ...fields })}\n`);
}

const db = await createDb(url, { poolMax: 4 });
const clockUs = () => db.nowUs();
const upstream = values.upstream === 'memory' ? createMemorySandboxUpstream() : createTableSandboxUpstream(db);
const sandbox = createSandboxProvider({ upstream, clockUs, reportDelayMs: 0 });
const adapters: ProviderAdapter[] = [];
if (values['hang-after-submit']) {
  adapters.push({
    ...sandbox,
    async submit(batch, signal) {
      await sandbox.submit(batch, signal);
      say('submitted', { messages: batch.length });
      return new Promise(() => {});
    },
  });
}
const router = createRouter(createRegistry({ clockUs, sandbox: { upstream, reportDelayMs: 0 }, adapters }));

const takenOver = { messages: 0, found: 0, requeued: 0, unconfirmed: 0 };
const logger: DispatchLogger = {
  info(fields, message) {
    if (message !== 'took over expired leases') return;
    const f = fields as Record<string, number>;
    takenOver.messages += f.messages ?? 0;
    takenOver.found += f.found ?? 0;
    takenOver.requeued += f.requeued ?? 0;
    takenOver.unconfirmed += f.unconfirmed ?? 0;
  },
  warn() {},
  error(fields, message) {
    process.stderr.write(`${message} ${JSON.stringify(fields)}\n`);
  },
};

const requests = values['concurrent-requests'];
const worker = startWorker({
  db,
  router,
  clockUs,
  workerId,
  leaseMs: Number(values['lease-ms']),
  batchSize: Number(values.batch),
  concurrency: Number(values.concurrency),
  pollIntervalMs: 20,
  logger,
  ...(requests && { throttles: { sandbox: { concurrentRequestsMax: Number(requests) } } }),
});
say('ready');
process.once('SIGTERM', async () => {
  await worker.stop();
  await db.close();
  say('stopped', { takenOver });
  process.exit(0);
});
