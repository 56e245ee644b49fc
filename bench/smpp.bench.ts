// submit_sm throughput against the simulated SMSC (in a child process) on loopback: 1 and 4 binds, windows 10 and 100.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SmppClient } from '../src/dispatch/providers/smpp/client.js';
import { parseSmppUrl, type SmppUrl } from '../src/dispatch/providers/smpp/session.js';
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

export async function run(): Promise<BenchRow[]> {
  const simulator = await startSimulator();
  try {
    const rows: BenchRow[] = [];
    for (const binds of [1, 4]) {
      for (const windowSize of [10, 100]) rows.push(await measure(simulator.url, binds, windowSize));
    }
    return rows;
  } finally {
    await simulator.stop();
  }
}
