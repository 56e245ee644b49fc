// What a real HTTP provider route costs per message over the sandbox: the same sending through each, end to end.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ProviderAdapter } from '../src/dispatch/provider.js';
import { createInfobipProvider, INFOBIP_SUBMIT_BATCH_MAX } from '../src/dispatch/providers/infobip/adapter.js';
import { type InfobipSimulator, startInfobipSimulator } from '../src/dispatch/providers/infobip/simulator.js';
import { createSandboxProvider } from '../src/dispatch/providers/sandbox/adapter.js';
import { createMemorySandboxUpstream } from '../src/dispatch/providers/sandbox/upstream.js';
import { createRegistry } from '../src/dispatch/registry.js';
import { createRouter } from '../src/dispatch/router.js';
import { startWorker } from '../src/dispatch/worker.js';
import { installBodyParsers } from '../src/http/body.js';
import { providerWebhook } from '../src/http/routes/webhooks/provider.js';
import { createDb, type Db } from '../src/store/db.js';
import { dispatchCounts } from '../src/store/dispatch-queue.js';
import { auditLedger } from '../src/store/ledger.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { applyReports } from '../src/store/reports.js';
import { createSending, getSending } from '../src/store/sendings.js';
import { scratchDatabase } from '../test/support/scratch-db.js';
import { fundedAccount, newSending, recipientOf, sendingTotalMinor } from '../test/support/store-fixtures.js';
import { type BenchRow, formatRate } from './harness.js';

const RECIPIENTS = Number(process.env.DISPATCH_OVERHEAD_BENCH_RECIPIENTS ?? 20_000);
/** A first, smaller sending through the same route, so that connections are open and code compiled. */
const WARMUP_RECIPIENTS = 2_000;
const BATCH = 1_000;
const CONCURRENCY = 4;
const WORKER_POLL_MS = 20;
const HANDED_OVER_POLL_MS = 2;
const STATUS_POLL_MS = 10;
const RUN_TIMEOUT_MS = 5 * 60 * 1000;

interface Run {
  /** From the sending's commit to every message answered by the provider (accepted or refused). */
  readonly handedOverSeconds: number;
  /** From the commit to Completed: every message final, on its delivery report. */
  readonly finalSeconds: number;
}

/** An adapter that counts the messages it has had answers for, so that "all handed over" is seen without a query. */
function counting(adapter: ProviderAdapter): { adapter: ProviderAdapter; answered: () => number } {
  let answered = 0;
  return {
    adapter: {
      ...adapter,
      async submit(batch, signal) {
        const results = await adapter.submit(batch, signal);
        answered += results.length;
        return results;
      },
    },
    answered: () => answered,
  };
}

async function until(check: () => Promise<boolean> | boolean, pollMs: number, deadline: number, what: string) {
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Stores a sending of `recipients` and times it through the running worker; checks the counts and the ledger. */
async function timeSending(db: Db, recipients: number, answered: () => number, accepted: number): Promise<Run> {
  const shape = { recipients };
  const accountId = await fundedAccount(db, sendingTotalMinor(shape), 'bench');
  const answeredBefore = answered();
  const created = await createSending(db, newSending(accountId, shape));
  if (!created.ok) throw new Error(`sending refused: ${created.reason}`);
  const started = performance.now();
  const deadline = started + RUN_TIMEOUT_MS;
  await until(() => answered() - answeredBefore >= recipients, HANDED_OVER_POLL_MS, deadline, 'every hand-over');
  const handedOverSeconds = (performance.now() - started) / 1000;
  await until(
    async () => {
      const status = (await getSending(db, accountId, created.sending.id))?.status;
      if (status === 'Failed') throw new Error('sending failed');
      return status === 'Completed';
    },
    STATUS_POLL_MS,
    deadline,
    'Completed',
  );
  const finalSeconds = (performance.now() - started) / 1000;
  const counts = await dispatchCounts(db, created.sending.id);
  if (counts.accepted !== accepted) throw new Error(`accepted ${counts.accepted} of ${recipients}`);
  const audit = await auditLedger(db);
  if (audit.mismatches.length > 0) throw new Error(`ledger audit: ${JSON.stringify(audit.mismatches)}`);
  return { handedOverSeconds, finalSeconds };
}

/** Runs a warm-up sending then the measured one through `adapter` as the only route, on a fresh SQLite database. */
async function throughRoute(
  adapter: (db: Db) => ProviderAdapter,
  acceptedOf: (recipients: number) => number,
  ingestInto?: (db: Db | null) => void,
): Promise<Run> {
  const scratch = await scratchDatabase('sqlite');
  const db = await createDb(scratch.url);
  try {
    await migrate(db);
    ingestInto?.(db);
    const clockUs = () => db.nowUs();
    const route = counting(adapter(db));
    const registry = createRegistry({ clockUs, adapters: [route.adapter] });
    const router = createRouter(registry, { routes: [], defaultProviders: [route.adapter.name] }, { clockUs });
    const worker = startWorker({
      db,
      router,
      clockUs,
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      pollIntervalMs: WORKER_POLL_MS,
    });
    try {
      await timeSending(db, WARMUP_RECIPIENTS, route.answered, acceptedOf(WARMUP_RECIPIENTS));
      return await timeSending(db, RECIPIENTS, route.answered, acceptedOf(RECIPIENTS));
    } finally {
      await worker.stop();
      await registry.close();
    }
  } finally {
    ingestInto?.(null);
    await db.close();
    await scratch.dispose();
  }
}

/** The sandbox refuses numbers ending in 0004 at submission and takes every other one. */
function sandboxAccepted(recipients: number): number {
  let refused = 0;
  for (let i = 0; i < recipients; i++) if (recipientOf(i).endsWith('0004')) refused++;
  return recipients - refused;
}

async function viaSandbox(): Promise<Run> {
  return throughRoute(
    (db) =>
      createSandboxProvider({
        upstream: createMemorySandboxUpstream({ soleProcess: true }),
        clockUs: () => db.nowUs(),
        reportDelayMs: 0,
      }),
    sandboxAccepted,
  );
}

async function viaInfobip(): Promise<Run> {
  const sim: InfobipSimulator = await startInfobipSimulator({ reportDelayMs: 0 });
  // Reports come back as Infobip sends them: JSON POSTs of up to 100 to the webhook, stored by applyReports.
  let target: Db | null = null;
  const hook: FastifyInstance = Fastify();
  try {
    await installBodyParsers(hook, 10 * 1024 * 1024);
    await providerWebhook('infobip')(hook, {
      ingest: async (provider, reports) => {
        if (!target) throw new Error('no database');
        await applyReports(
          target,
          target.nowUs(),
          reports.map((report) => ({ provider, ...report })),
        );
      },
      providers: { infobip: { baseUrl: sim.url, apiKey: sim.apiKey } },
      publicUrl: 'http://unused',
    });
    const publicUrl = await hook.listen({ host: '127.0.0.1', port: 0 });
    return await throughRoute(
      (db) => createInfobipProvider({ baseUrl: sim.url, apiKey: sim.apiKey }, { clockUs: () => db.nowUs(), publicUrl }),
      (recipients) => recipients,
      (db) => {
        target = db;
      },
    );
  } finally {
    await sim.close();
    await hook.close();
  }
}

function rate(seconds: number): string {
  return formatRate(RECIPIENTS / seconds, 'messages/s');
}

function overheadUs(httpSeconds: number, sandboxSeconds: number): string {
  return `${(((httpSeconds - sandboxSeconds) / RECIPIENTS) * 1e6).toFixed(1)} µs/message`;
}

export async function run(): Promise<BenchRow[]> {
  const n = RECIPIENTS.toLocaleString('en-US');
  const setup = `SQLite, 1 worker in process, batch ${BATCH.toLocaleString('en-US')}, ${CONCURRENCY} batches in flight`;
  const sandbox = await viaSandbox();
  const infobip = await viaInfobip();
  const seconds = (r: Run) => `${r.handedOverSeconds.toFixed(2)} s handed over, ${r.finalSeconds.toFixed(2)} s final`;
  return [
    {
      name: `Sandbox route (no delay), ${n} recipients: handed over`,
      result: rate(sandbox.handedOverSeconds),
      target: '',
      notes: `${seconds(sandbox)}; ${setup}`,
    },
    {
      name: `Sandbox route, ${n} recipients: every message final`,
      result: rate(sandbox.finalSeconds),
      target: '',
      notes: 'reports by poll, no delay',
    },
    {
      name: `Infobip adapter → simulator, ${n} recipients: handed over`,
      result: rate(infobip.handedOverSeconds),
      target: '',
      notes: `${seconds(infobip)}; up to ${INFOBIP_SUBMIT_BATCH_MAX.toLocaleString('en-US')} messages per POST; simulator in the same process`,
    },
    {
      name: `Infobip adapter → simulator, ${n} recipients: every message final`,
      result: rate(infobip.finalSeconds),
      target: '',
      notes: 'reports POSTed at once to the webhook (100 per request), stored by applyReports',
    },
    {
      name: 'HTTP route overhead over the sandbox: handed over',
      result: overheadUs(infobip.handedOverSeconds, sandbox.handedOverSeconds),
      target: '',
      notes: `(Infobip − sandbox) seconds / ${n} messages`,
    },
    {
      name: 'HTTP route overhead over the sandbox: every message final',
      result: overheadUs(infobip.finalSeconds, sandbox.finalSeconds),
      target: '',
      notes: "reports through the webhook vs the sandbox's poll; each route on a fresh database",
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) process.stdout.write(`${r.name}: ${r.result} (${r.notes})\n`);
}
