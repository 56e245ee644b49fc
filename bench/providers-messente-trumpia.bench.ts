// Messente and Trumpia adapters against their simulators (each in a child process): messages and reports per second.
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { OutgoingMessage, ProviderAdapter, SubmittedMessage } from '../src/dispatch/provider.js';
import { createMessenteProvider } from '../src/dispatch/providers/messente/adapter.js';
import { messenteSignature, readMessenteWebhook } from '../src/dispatch/providers/messente/webhook.js';
import { createTrumpiaProvider } from '../src/dispatch/providers/trumpia/adapter.js';
import { systemClockUs } from '../src/domain/time.js';
import { type BenchRow, formatRate, opsPerSecond } from './harness.js';

const MESSAGES = Number(process.env.PROVIDER_BENCH_MESSAGES ?? 10_000);
const WARMUP_MESSAGES = 1_000;
/** Submits under way at once, as the dispatch worker runs leased batches (its default concurrency). */
const SUBMITS_IN_FLIGHT = 4;
const SIMULATOR_READY_MS = 15_000;

interface Simulator {
  /** The `NAME=value` settings the simulator printed. */
  readonly settings: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

async function startSimulator(file: string, args: readonly string[]): Promise<Simulator> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path, '--port', '0', ...args], {
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
  const settings = Object.fromEntries([...line.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  return {
    settings,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function messages(count: number, offset: number): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const recipient = `3712${String(offset + i).padStart(7, '0')}`;
    return {
      reference: String(offset + i),
      recipient,
      sender: 'SMSgic',
      text: 'Your code is 1234',
      encoding: 'GSM-7',
      parts: ['Your code is 1234'],
      attempt: 1,
    };
  });
}

/** Hands `batch` to the adapter in submitBatchMax chunks, SUBMITS_IN_FLIGHT at a time; the ids it accepted. */
async function submitAll(adapter: ProviderAdapter, batch: readonly OutgoingMessage[]): Promise<string[]> {
  const chunks: OutgoingMessage[][] = [];
  for (let i = 0; i < batch.length; i += adapter.submitBatchMax)
    chunks.push(batch.slice(i, i + adapter.submitBatchMax));
  const ids: string[] = [];
  let next = 0;
  const signal = new AbortController().signal;
  await Promise.all(
    Array.from({ length: SUBMITS_IN_FLIGHT }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++] as OutgoingMessage[];
        for (const result of await adapter.submit(chunk, signal)) {
          if (!('accepted' in result)) throw new Error(`refused in the bench: ${result.error}`);
          ids.push(result.accepted);
        }
      }
    }),
  );
  return ids;
}

async function measureSubmit(name: string, adapter: ProviderAdapter): Promise<{ row: BenchRow; ids: string[] }> {
  await submitAll(adapter, messages(WARMUP_MESSAGES, 0));
  const started = performance.now();
  const ids = await submitAll(adapter, messages(MESSAGES, WARMUP_MESSAGES));
  const seconds = (performance.now() - started) / 1000;
  return {
    ids,
    row: {
      name: `${name} submit, one HTTP request per message`,
      result: formatRate(MESSAGES / seconds, 'messages/s'),
      target: '',
      notes: `${MESSAGES.toLocaleString('en-US')} messages in ${seconds.toFixed(2)} s; ${SUBMITS_IN_FLIGHT} submits of ${adapter.submitBatchMax} in flight, 16 requests each; simulator in a child process`,
    },
  };
}

async function messenteRows(): Promise<BenchRow[]> {
  const sim = await startSimulator('../src/dispatch/providers/messente/simulator.ts', ['--no-reports']);
  try {
    const { MESSENTE_BASE_URL, MESSENTE_USERNAME, MESSENTE_PASSWORD } = sim.settings;
    const adapter = createMessenteProvider(
      { baseUrl: MESSENTE_BASE_URL ?? '', username: MESSENTE_USERNAME ?? '', password: MESSENTE_PASSWORD ?? '' },
      { clockUs: systemClockUs, publicUrl: 'https://smsgic.example' },
    );
    return [(await measureSubmit('Messente', adapter)).row];
  } finally {
    await sim.stop();
  }
}

async function trumpiaRows(): Promise<BenchRow[]> {
  const sim = await startSimulator('../src/dispatch/providers/trumpia/simulator.ts', ['--report-delay-ms', '0']);
  try {
    const { TRUMPIA_BASE_URL, TRUMPIA_USERNAME, TRUMPIA_API_KEY } = sim.settings;
    const adapter = createTrumpiaProvider(
      { baseUrl: TRUMPIA_BASE_URL ?? '', username: TRUMPIA_USERNAME ?? '', apiKey: TRUMPIA_API_KEY ?? '' },
      { clockUs: systemClockUs },
    );
    const { row, ids } = await measureSubmit('Trumpia', adapter);
    const submitted: SubmittedMessage[] = ids.map((id, i) => ({
      reference: String(i),
      providerMessageId: id,
      recipient: '',
      submittedAtUs: 0,
    }));
    const started = performance.now();
    const reports = await adapter.poll?.(submitted, new AbortController().signal);
    const seconds = (performance.now() - started) / 1000;
    if (reports?.length !== ids.length) throw new Error(`polled ${reports?.length} reports of ${ids.length}`);
    return [
      row,
      {
        name: 'Trumpia report poll, one GET per request_id',
        result: formatRate(ids.length / seconds, 'reports/s'),
        target: '',
        notes: `${ids.length.toLocaleString('en-US')} reports in ${seconds.toFixed(2)} s, 16 requests in flight`,
      },
    ];
  } finally {
    await sim.stop();
  }
}

function webhookRow(): BenchRow {
  const password = 'messente-secret';
  const body = Buffer.from(
    JSON.stringify({
      status: 'DELIVRD',
      sender: 'AcmeCo',
      err: 0,
      message_id: '0f9c2a5e-1d55-4e33-9b7a-4bb1c1a1d001',
      to: '+37250000001',
      channel: 'sms',
      error: null,
      omnimessage_id: '7d1e0c1e-33a2-4a71-8c8e-2f1b9a2c0001',
      timestamp: '2025-03-01T10:00:04.123456',
    }),
  );
  const signature = messenteSignature(body, password);
  const rate = opsPerSecond(() => {
    const read = readMessenteWebhook(body, signature, password);
    if (!read.ok) throw new Error('the bench report was refused');
  }, 1);
  return {
    name: 'Messente DLR webhook body: HMAC-SHA256 check + parse + status mapping (no HTTP)',
    result: formatRate(rate, 'reports/s'),
    target: '',
    notes: `${body.length}-byte report`,
  };
}

export async function run(): Promise<BenchRow[]> {
  return [...(await messenteRows()), ...(await trumpiaRows()), webhookRow()];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) process.stdout.write(`${row.name}: ${row.result} (${row.notes})\n`);
}
