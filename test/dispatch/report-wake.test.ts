// A delivery receipt an SMSC pushes while the worker sleeps reaches the customer's callback_url at once, not after the
// worker's next idle poll.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { createRegistry, type ProviderRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { startWorker, type Worker } from '../../src/dispatch/worker.js';
import { applyReports } from '../../src/store/reports.js';
import { describeEachEngine } from '../support/databases.js';
import { eventually, numberEndingWith, statusOf, storedSending } from './support.js';

/** Far longer than the test waits: the callback comes in time only if the stored receipt woke the worker. */
const POLL_NEVER_MS = 600_000;
const WAIT_MS = 15_000;
/** The receipt comes well after the submit's outcome is recorded, when the worker has gone back to sleep. */
const RECEIPT_DELAY_MS = 500;

describeEachEngine('a pushed delivery receipt wakes the idle worker', (engine) => {
  let sim: SmscSimulator;
  let registry: ProviderRegistry;
  let listener: Server;
  const received: { recipient: string; status: string }[] = [];

  beforeAll(async () => {
    sim = await startSmscSimulator({ receiptDelayMs: RECEIPT_DELAY_MS });
    registry = createRegistry({
      clockUs: () => engine.db.nowUs(),
      providers: { smpp: { url: sim.url } },
      // As the server wires it: receipts go straight to the store, in the process whose bind received them.
      reportSink: async (provider, report) => {
        await applyReports(engine.db, engine.db.nowUs(), [{ provider, ...report }]);
      },
    });
    listener = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as { recipient: string; status: string });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
  });
  afterAll(async () => {
    await registry.close();
    await sim.close();
    await new Promise((done) => listener.close(done));
  });

  it('posts the delivered callback of a receipt that came while the worker slept', async () => {
    const db = engine.db;
    const recipient = numberEndingWith('6000');
    const callbackUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/status`;
    const { accountId, sending } = await storedSending(db, [recipient], { callbackUrl });
    const worker: Worker = startWorker({
      db,
      router: createRouter(registry),
      pollIntervalMs: POLL_NEVER_MS,
      callbacks: { allowPrivate: true },
    });
    try {
      // Handed over and answered; the receipt is still on its way and the worker falls asleep.
      await eventually(async () => sim.stats.submitSm === 1, WAIT_MS, 'the submit_sm');
      await eventually(async () => (await statusOf(db, accountId, sending.id)) === 'Completed', WAIT_MS, 'Completed');
      await eventually(
        async () => received.some((c) => c.recipient === recipient && c.status === 'delivered'),
        WAIT_MS,
        'the delivered callback',
      );
      expect(received.filter((c) => c.recipient === recipient).map((c) => c.status)).toContain('delivered');
    } finally {
      await worker.stop();
    }
  });
});
