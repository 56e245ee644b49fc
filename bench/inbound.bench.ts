// Messages from handsets through SMPP: an SMSC on the npm `smpp` package delivers N deliver_sm (one in ten a STOP) to
// our ESME client, which decodes, routes, applies opt-outs and stores each before answering; beside it, a minimal
// ESME on the same package that stores each message with one prepared statement and answers (the baseline, same run).
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import smpp from 'smpp';
import { createSmppProvider } from '../src/dispatch/providers/smpp/adapter.js';
import { systemClockUs } from '../src/domain/time.js';
import { receiveInbound } from '../src/services/inbound.js';
import { createDb, type DialectName } from '../src/store/db.js';
import { migrate } from '../src/store/migrations/migrate.js';
import { assignNumber } from '../src/store/numbers.js';
import { type PeerSmsc, startPeerSmsc } from '../test/interop/smpp-peer.js';
import { probePostgres, scratchDatabase } from '../test/support/scratch-db.js';
import { fundedAccount } from '../test/support/store-fixtures.js';
import type { BenchRow } from './harness.js';

const MESSAGES = Number(process.env.INBOUND_BENCH_MESSAGES ?? 20_000);
const NUMBER = '37125550200';
const count = (n: number) => n.toLocaleString('en-US');

interface Run {
  readonly seconds: number;
  readonly cpuMs: number;
  /** Deliveries answered with an error status and delivered again. */
  readonly retried: number;
}

/** Unanswered deliver_sm an SMSC keeps outstanding on one bind (an SMSC's window; SMPP 3.4 §2.8). */
const WINDOW = 50;

interface Delivery {
  /** Delivers MESSAGES deliver_sm, WINDOW at a time; one answered with an error is delivered again. */
  run(smsc: PeerSmsc): Promise<Run>;
}

function delivery(): Delivery {
  return {
    async run(smsc) {
      const session = smsc.sessions[0];
      let done = 0;
      let retried = 0;
      let next = 0;
      let finish: () => void = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const send = (i: number): void => {
        session.deliver_sm(
          {
            source_addr: String(37_120_000_000 + i),
            destination_addr: NUMBER,
            esm_class: 0,
            data_coding: 0,
            short_message: i % 10 === 0 ? 'STOP' : `Reply ${i}: is my order ready?`,
          },
          (resp: { command_status: number }) => {
            if (resp.command_status !== 0) {
              retried++;
              send(i);
              return;
            }
            done++;
            if (next < MESSAGES) send(next++);
            if (done === MESSAGES) finish();
          },
        );
      };
      const cpu = process.cpuUsage();
      const started = performance.now();
      while (next < Math.min(WINDOW, MESSAGES)) send(next++);
      await finished;
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      return { seconds, cpuMs: (used.user + used.system) / 1000, retried };
    },
  };
}

async function waitBound(smsc: PeerSmsc): Promise<void> {
  while (smsc.sessions.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
}

async function product(engine: DialectName): Promise<Run> {
  const scratch = await scratchDatabase(engine);
  const db = await createDb(scratch.url);
  const deliveries = delivery();
  const smsc = await startPeerSmsc();
  const provider = createSmppProvider({
    url: smsc.url,
    clockUs: systemClockUs,
    onInbound: async (message) => {
      await receiveInbound(db, { provider: 'smpp', ...message }, () => {});
    },
    client: { binds: 1 },
  });
  try {
    await migrate(db);
    const accountId = await fundedAccount(db, 0);
    await assignNumber(db, accountId, NUMBER, null);
    await provider.open();
    await waitBound(smsc);
    const run = await deliveries.run(smsc);
    const stored = await db.kysely
      .selectFrom('inbound_messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(stored.n) !== MESSAGES) throw new Error(`stored ${stored.n} of ${MESSAGES}`);
    return run;
  } finally {
    await provider.close();
    await smsc.close();
    await db.close();
    await scratch.dispose();
  }
}

/** The minimal ESME: bind, and for each deliver_sm one prepared insert, then the answer. */
async function minimal(engine: DialectName): Promise<Run> {
  const scratch = await scratchDatabase(engine);
  const deliveries = delivery();
  const smsc = await startPeerSmsc();
  let store: (from: string, text: string) => Promise<void>;
  let closeStore: () => Promise<void>;
  if (engine === 'sqlite') {
    const file = new Database(new URL(scratch.url).pathname);
    file.pragma('journal_mode = WAL');
    file.exec(
      'create table inbound (id integer primary key, from_phone text, to_number text, text text, at_us bigint)',
    );
    const insert = file.prepare('insert into inbound (from_phone, to_number, text, at_us) values (?, ?, ?, ?)');
    store = async (from, text) => {
      insert.run(from, NUMBER, text, Date.now() * 1000);
    };
    closeStore = async () => {
      file.close();
    };
  } else {
    const pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
    await pool.query(
      'create table inbound (id bigserial primary key, from_phone text, to_number text, text text, at_us bigint)',
    );
    store = async (from, text) => {
      await pool.query({
        name: 'insert-inbound',
        text: 'insert into inbound (from_phone, to_number, text, at_us) values ($1, $2, $3, $4)',
        values: [from, NUMBER, text, Date.now() * 1000],
      });
    };
    closeStore = () => pool.end();
  }
  const client = smpp.connect({ url: `smpp://127.0.0.1:${smsc.port}` });
  client.on('error', () => {});
  client.bind_transceiver({ system_id: 'esme', password: 'secret' });
  client.on(
    'deliver_sm',
    (pdu: { source_addr: string; short_message: { message?: string } | string; response(): unknown }) => {
      const text = typeof pdu.short_message === 'string' ? pdu.short_message : (pdu.short_message.message ?? '');
      void store(pdu.source_addr, text).then(() => client.send(pdu.response()));
    },
  );
  try {
    await waitBound(smsc);
    return await deliveries.run(smsc);
  } finally {
    client.destroy();
    await smsc.close();
    await closeStore();
    await scratch.dispose();
  }
}

async function onEngine(engine: DialectName): Promise<BenchRow[]> {
  const label = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const base = await minimal(engine);
  const ours = await product(engine);
  const rate = (run: Run) => MESSAGES / run.seconds;
  const perMessage = (run: Run) => `${Math.round((run.cpuMs * 1000) / MESSAGES)} µs CPU/message`;
  return [
    {
      name: `${label}: SMSgic's ESME, ${count(MESSAGES)} deliver_sm (one in ten STOP): stored, opt-outs applied, answered`,
      result: `${count(Math.round(rate(ours)))} msg/s`,
      target: '',
      notes: `${perMessage(ours)} (this process, SMSC included); ${(rate(ours) / rate(base)).toFixed(2)}× the minimal ESME; ${ours.retried} answered with an error and delivered again; window ${WINDOW}`,
    },
    {
      name: `${label}: minimal ESME on the npm smpp package (one prepared insert a message, then the answer)`,
      result: `${count(Math.round(rate(base)))} msg/s`,
      target: '',
      notes: `${perMessage(base)}; no routing, no opt-out, no deduplication, no reassembly`,
    },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const rows = await onEngine('sqlite');
  const unreachable = await probePostgres();
  if (unreachable === null) rows.push(...(await onEngine('postgres')));
  else rows.push({ name: 'PostgreSQL', result: 'not measured', target: '', notes: unreachable });
  return rows;
}
