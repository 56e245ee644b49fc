// Time to the handset: from the 200 of `POST /sendings` (one recipient) to its submit_sm at an SMSC, and to the
// status callback of its delivery receipt, at a steady 20 sendings/s, SMSgic on SQLite and on PostgreSQL.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DialectName } from '../src/store/db.js';
import { probePostgres } from '../test/support/scratch-db.js';
import { type BenchRow, formatRate } from './harness.js';
import { startSmsc } from './smsc.js';
import { benchTenant, HOST, quantile, sendOne, startSmsgic } from './smsgic-processes.js';

const RATE_PER_SECOND = Number(process.env.HANDSET_BENCH_RATE ?? 20);
const SECONDS = Number(process.env.HANDSET_BENCH_SECONDS ?? 20);
const WARMUP_SENDINGS = 20;
const SETTLE_MS = 30_000;
const TEXT = 'Your verification code is 482913. It expires in 10 minutes.';

interface Probe {
  readonly recipient: string;
  answeredNs?: bigint;
  submittedNs?: bigint;
  finalNs?: bigint;
}

/** A local listener for status callbacks: the moment each message's final status reached the customer. */
async function callbackListener(onFinal: (recipient: string, atNs: bigint) => void): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const atNs = process.hrtime.bigint();
      res.writeHead(204).end();
      const event = JSON.parse(body) as { recipient: string; status: string };
      if (event.status !== 'submitted') onFinal(event.recipient, atNs);
    });
  });
  await new Promise<void>((done) => server.listen(0, HOST, done));
  return server;
}

const ms = (ns: bigint) => Number(ns) / 1e6;
const fmt = (value: number) => `${value.toFixed(1)} ms`;

async function measure(engine: DialectName): Promise<BenchRow[]> {
  const label =
    engine === 'sqlite' ? 'SQLite, API and worker threads in one process' : 'PostgreSQL, API and worker processes';
  const smsc = await startSmsc({ reportEach: true });
  const probes = new Map<string, Probe>();
  smsc.onSubmit((destination, atNs) => {
    const probe = probes.get(destination);
    if (probe && probe.submittedNs === undefined) probe.submittedNs = atNs;
  });
  const callbacks = await callbackListener((recipient, atNs) => {
    const probe = probes.get(recipient);
    if (probe && probe.finalNs === undefined) probe.finalNs = atNs;
  });
  const callbackUrl = `http://${HOST}:${(callbacks.address() as AddressInfo).port}/status`;
  const tenant = await benchTenant(engine);
  const bound = smsc.nextBind();
  const smsgic = await startSmsgic(tenant, { SMPP_URL: `smpp://bench:secret@${HOST}:${smsc.port}` });
  try {
    const send = async (recipient: string) => {
      const probe: Probe = { recipient };
      probes.set(recipient, probe);
      const answer = await sendOne(smsgic.port, tenant.token, recipient, TEXT, { callback_url: callbackUrl });
      probe.answeredNs = answer.atNs;
    };
    // Warm-up: the SMPP bind, compiled code, the first leases; not counted.
    for (let i = 0; i < WARMUP_SENDINGS; i++) await send(String(37_126_000_000 + i));
    await bound;
    await until(() => [...probes.values()].every((p) => p.finalNs !== undefined), SETTLE_MS, 'warm-up final');
    probes.clear();

    const total = RATE_PER_SECOND * SECONDS;
    const intervalNs = BigInt(Math.round(1e9 / RATE_PER_SECOND));
    const startNs = process.hrtime.bigint();
    const requests: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      // An open loop: each request leaves at its slot, whether or not the earlier ones were answered.
      const slotNs = startNs + BigInt(i) * intervalNs;
      const waitMs = ms(slotNs - process.hrtime.bigint());
      if (waitMs > 0) await new Promise((done) => setTimeout(done, waitMs));
      requests.push(send(String(37_127_000_000 + i)));
    }
    await Promise.all(requests);
    const sentSeconds = ms(process.hrtime.bigint() - startNs) / 1000;
    const all = [...probes.values()];
    await until(() => all.every((p) => p.finalNs !== undefined), SETTLE_MS, 'every message final');

    const toSubmit = all.map((p) => ms((p.submittedNs as bigint) - (p.answeredNs as bigint))).sort((a, b) => a - b);
    const toFinal = all.map((p) => ms((p.finalNs as bigint) - (p.answeredNs as bigint))).sort((a, b) => a - b);
    const early = toSubmit.filter((v) => v < 0).length;
    const cpu = smsgic.processes.map((p) => `${p.role} ${p.cpuSeconds().toFixed(1)} s`).join(', ');
    const load = `${total} sendings at ${formatRate(total / sentSeconds, 'sendings/s')} over ${sentSeconds.toFixed(1)} s`;
    return [
      {
        name: `POST /sendings 200 → submit_sm at the SMSC, 1 recipient, ${label}`,
        result: `p50 ${fmt(quantile(toSubmit, 0.5))}, p99 ${fmt(quantile(toSubmit, 0.99))}`,
        target: 'p50 < 10 ms, p99 < 50 ms',
        notes: `max ${fmt(quantile(toSubmit, 1))}; ${early} submit_sm arrived before the client had read its 200; ${load}; CPU ${cpu}`,
      },
      {
        name: `POST /sendings 200 → status callback of the receipt (message final, sending Completed), ${label}`,
        result: `p50 ${fmt(quantile(toFinal, 0.5))}, p99 ${fmt(quantile(toFinal, 0.99))}`,
        target: '',
        notes: `max ${fmt(quantile(toFinal, 1))}; the SMSC answers at once and sends DELIVRD right after its submit_sm_resp; callback_url to a loopback listener`,
      },
    ];
  } finally {
    await smsgic.stop();
    await smsc.stop();
    callbacks.close();
    await tenant.scratch.dispose();
  }
}

async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`handset bench: no ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows = await measure('sqlite');
  if ((await probePostgres()) === null) rows.push(...(await measure('postgres')));
  else
    rows.push({ name: 'Time to the handset on PostgreSQL', result: 'not measured', target: '', notes: 'unreachable' });
  return rows;
}
