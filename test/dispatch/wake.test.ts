// A stored sending wakes an idle dispatch worker at once, in the same process and (PostgreSQL) in another one, instead
// of waiting for the worker's idle poll; a broken LISTEN connection is opened again.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorker, type Worker } from '../../src/dispatch/worker.js';
import type { Db } from '../../src/store/db.js';
import { openWorkSignal, type WorkSignal } from '../../src/store/work-signal.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';
import { eventually, routerWith, statusOf } from './support.js';

/** Far longer than any test waits: a sending is handed over in time only if the worker was woken. */
const POLL_NEVER_MS = 600_000;
const WAIT_MS = 15_000;

describeEachEngine('a stored sending wakes the idle worker', (engine) => {
  let api: ApiApp;
  let customer: ApiAccount;
  let workerDb: Db;
  let apiSignal: WorkSignal;
  let workerSignal: WorkSignal;
  let worker: Worker;

  beforeAll(async () => {
    apiSignal = openWorkSignal(engine.db, engine.url);
    // On PostgreSQL the worker has a pool and a signal of its own, as a separate worker process would.
    workerDb = engine.name === 'postgres' ? await engine.open() : engine.db;
    workerSignal = engine.name === 'postgres' ? openWorkSignal(workerDb, engine.url) : apiSignal;
    api = await startApiApp(engine.db, { workSignal: apiSignal });
    customer = await api.account({ balance: '10' });
    const clockUs = () => workerDb.nowUs();
    worker = startWorker({
      db: workerDb,
      router: routerWith(clockUs),
      clockUs,
      pollIntervalMs: POLL_NEVER_MS,
      workSignal: workerSignal,
    });
    // The worker's first round finds nothing and it falls asleep (and on PostgreSQL its LISTEN is in place).
    await new Promise((resolve) => setTimeout(resolve, 500));
  });
  afterAll(async () => {
    await worker.stop();
    await api.close();
    await workerSignal.close();
    await apiSignal.close();
  });

  const sendOne = async (recipient: string) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/sendings',
      headers: customer.headers,
      payload: { message: 'Your code is 4821', recipients: [recipient], sender: customer.sender },
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { sending_id: number }).sending_id;
  };

  it('hands a one-recipient sending over at once although the worker polls only every ten minutes', async () => {
    const id = await sendOne('37126123450');
    await eventually(async () => (await statusOf(engine.db, customer.id, id)) === 'Completed', WAIT_MS, 'Completed');
  });

  it('keeps waking the worker after its LISTEN connection was cut', async (context) => {
    if (engine.name !== 'postgres') return context.skip();
    const cut = await sql<{ n: number }>`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and query = 'LISTEN smsgic_work'`.execute(engine.db.kysely);
    expect(cut.rows[0]?.n).toBeGreaterThanOrEqual(1);
    const id = await sendOne('37126123451');
    await eventually(async () => (await statusOf(engine.db, customer.id, id)) === 'Completed', WAIT_MS, 'Completed');
    // Once the connection is back, a signal reaches the sleeping worker again.
    await eventually(
      async () => {
        const listening = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and query = 'LISTEN smsgic_work'`.execute(engine.db.kysely);
        return (listening.rows[0]?.n ?? 0) >= 1;
      },
      WAIT_MS,
      'LISTEN again',
    );
    const again = await sendOne('37126123452');
    await eventually(async () => (await statusOf(engine.db, customer.id, again)) === 'Completed', WAIT_MS, 'Completed');
  });
});
