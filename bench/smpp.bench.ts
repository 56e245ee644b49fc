// submit_sm throughput against the simulated SMSC (in a child process) on loopback: 1 and 4 binds, windows 10 and 100;
// and the time from a TCP cut with a full window to every in-flight message being final, per lost-answer policy.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SmppClient } from '../src/dispatch/providers/smpp/client.js';
import type { LostPolicy } from '../src/dispatch/providers/smpp/session.js';
import { parseSmppUrl, type SmppUrl } from '../src/dispatch/providers/smpp/session.js';
import { startSmscSimulator } from '../src/dispatch/providers/smpp/simulator.js';
import { type BenchRow, formatRate } from './harness.js';

const SIMULATOR = fileURLToPath(new URL('../src/dispatch/providers/smpp/simulator.ts', import.meta.url));
const SIMULATOR_READY_MS = 15_000;
const WARMUP_MS = 500;
const MEASURE_MS = 2_000;
/** The four binds' figure is held to this (a 2-core machine, simulator included). */
const TARGET_SUBMITS_PER_SECOND = 5_000;
const TEXT = 'Your verification code is 482913. It expires in 10 minutes.';

interface Simulator {
  readonly url: SmppUrl;
  stop(): Promise<void>;
}

/** The simulator's own CLI in a child process, so the SMSC does not share the client's event loop. */
async function startSimulator(): Promise<Simulator> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SIMULATOR, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`simulator not ready: ${stderr}`)), SIMULATOR_READY_MS);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve(out.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${stderr}`)));
  });
  const parsed = parseSmppUrl(line.trim());
  if (!parsed.ok) throw new Error(`simulator printed "${line}": ${parsed.error}`);
  return {
    url: parsed.url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Keeps `concurrency` messages under way for `durationMs`; returns how many submit_sm were answered. */
async function drive(client: SmppClient, concurrency: number, durationMs: number, startAt: number): Promise<number> {
  const endAtMs = performance.now() + durationMs;
  let sent = 0;
  let accepted = 0;
  const worker = async () => {
    while (performance.now() < endAtMs) {
      const recipient = String(37_250_000_000 + ((startAt + sent++) % 1_000_000));
      const outcome = await client.submit({ source: 'Acme', destination: recipient, encoding: 'GSM-7', parts: [TEXT] });
      if (outcome.kind !== 'accepted') throw new Error(`bench message not accepted: ${JSON.stringify(outcome)}`);
      accepted++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return accepted;
}

async function measure(url: SmppUrl, binds: number, windowSize: number): Promise<BenchRow> {
  let reports = 0;
  const client = new SmppClient({
    url,
    binds,
    windowSize,
    onReport: () => {
      reports++;
    },
  });
  const opened = await client.open();
  if (!opened.every((b) => b.ok)) throw new Error(`bench bind failed: ${JSON.stringify(opened)}`);
  // Twice the binds' windows under way keeps every window full without an unbounded queue.
  const concurrency = binds * windowSize * 2;
  await drive(client, concurrency, WARMUP_MS, 0);
  const reportsBefore = reports;
  const started = performance.now();
  const submits = await drive(client, concurrency, MEASURE_MS, 1_000_000);
  const seconds = (performance.now() - started) / 1000;
  const receiptsDuring = reports - reportsBefore;
  await client.close();
  const rate = submits / seconds;
  return {
    name: `submit_sm, ${binds} bind${binds > 1 ? 's' : ''} × window ${windowSize}, single-part GSM-7, receipts on`,
    result: formatRate(rate, 'submit_sm/s'),
    target: binds === 4 ? `>= ${formatRate(TARGET_SUBMITS_PER_SECOND, 'submit_sm/s')}` : '',
    notes: `${submits.toLocaleString('en-US')} submits in ${seconds.toFixed(1)} s; ${formatRate(receiptsDuring / seconds, 'receipts/s')} matched`,
  };
}

const CUT_WINDOW = 10;

/**
 * A window of CUT_WINDOW submits read by the SMSC, none answered, then the TCP connection cut: how long until every
 * one of them has a final outcome (accepted after the resend, or failed), from the moment of the cut.
 */
async function tcpCut(policy: LostPolicy): Promise<BenchRow> {
  const simulator = await startSmscSimulator({ receiptDelayMs: 0, responseDelayMs: 20 });
  const parsed = parseSmppUrl(simulator.url);
  if (!parsed.ok) throw new Error(parsed.error);
  const client = new SmppClient({ url: parsed.url, binds: 1, windowSize: CUT_WINDOW, onLost: policy });
  try {
    const opened = await client.open();
    if (!opened.every((b) => b.ok)) throw new Error(`bench bind failed: ${JSON.stringify(opened)}`);
    simulator.script({ drop: { afterSubmits: CUT_WINDOW, answer: 'before' } });
    const outcomes = await Promise.all(
      Array.from({ length: CUT_WINDOW }, (_, i) =>
        client.submit({ source: 'Acme', destination: String(37_250_000_000 + i), encoding: 'GSM-7', parts: [TEXT] }),
      ),
    );
    const finalAtMs = Date.now();
    const cutAtMs = simulator.stats.lastDropAtMs;
    if (cutAtMs === null) throw new Error('the simulator did not cut the connection');
    const kinds = outcomes.map((o) => o.kind);
    // 'unknown' is what the session does under the route's on_lost=fail: the adapter then fails them, uncharged.
    const expected = policy === 'resend' ? 'accepted' : 'unknown';
    const ended = kinds.filter((k) => k === expected).length;
    return {
      name: `TCP cut with a full window (${CUT_WINDOW}) → every in-flight message final, on_lost=${policy === 'resend' ? 'resend' : 'fail'}`,
      result: `${finalAtMs - cutAtMs} ms`,
      target: '',
      notes:
        `${ended} of ${CUT_WINDOW} ${policy === 'resend' ? 'accepted after the reconnect (resent)' : 'failed, not charged'}` +
        ` (${[...new Set(kinds)].join(', ')}); before, all ${CUT_WINDOW} stayed unconfirmed up to the 72 h expiry`,
    };
  } finally {
    await client.close();
    await simulator.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  const simulator = await startSimulator();
  try {
    const rows: BenchRow[] = [];
    for (const binds of [1, 4]) {
      for (const windowSize of [10, 100]) rows.push(await measure(simulator.url, binds, windowSize));
    }
    rows.push(await tcpCut('resend'), await tcpCut('unknown'));
    return rows;
  } finally {
    await simulator.stop();
  }
}
