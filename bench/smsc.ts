// A bench SMSC on the npm `smpp` package (none of our SMPP code), run as a child process: answers every submit_sm,
// sends an immediate delivery receipt when one is asked for, and tells its parent when each submit_sm arrived.
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const READY_MS = 15_000;

/** What the parent hears: one line per submit_sm when asked, and counters on request. */
export type SmscEvent =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'bound'; readonly systemId: string }
  | { readonly kind: 'submits'; readonly items: readonly { readonly destination: string; readonly atNs: string }[] }
  | { readonly kind: 'stats'; readonly stats: SmscStats };

export interface SmscStats {
  readonly submits: number;
  readonly receiptsSent: number;
  readonly receiptsAnswered: number;
  /** process.hrtime (CLOCK_MONOTONIC, the same clock in every process of the machine) of the first and last submit. */
  readonly firstSubmitNs: string | null;
  readonly lastSubmitNs: string | null;
}

export interface Smsc {
  readonly port: number;
  readonly pid: number;
  /** Called with each submit_sm's destination and arrival time (CLOCK_MONOTONIC ns), when `reportEach` was set. */
  onSubmit(listener: (destination: string, atNs: bigint) => void): void;
  /** Resolves at the next bind the SMSC accepts. */
  nextBind(): Promise<string>;
  stats(): Promise<SmscStats>;
  stop(): Promise<void>;
}

export async function startSmsc(options: { readonly reportEach: boolean }): Promise<Smsc> {
  const child: ChildProcess = fork(SELF, ['smsc', options.reportEach ? 'each' : 'counts'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const submitListeners: ((destination: string, atNs: bigint) => void)[] = [];
  const bindWaiters: ((systemId: string) => void)[] = [];
  const statsWaiters: ((stats: SmscStats) => void)[] = [];
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`bench SMSC not ready: ${stderr}`)), READY_MS);
    child.once('exit', (code) => fail(new Error(`bench SMSC exited with ${code}: ${stderr}`)));
    child.on('message', (event: SmscEvent) => {
      if (event.kind === 'ready') {
        clearTimeout(timer);
        done(event.port);
      } else if (event.kind === 'bound') {
        for (const wake of bindWaiters.splice(0)) wake(event.systemId);
      } else if (event.kind === 'submits') {
        for (const item of event.items) for (const l of submitListeners) l(item.destination, BigInt(item.atNs));
      } else if (event.kind === 'stats') {
        for (const wake of statsWaiters.splice(0)) wake(event.stats);
      }
    });
  });
  return {
    port,
    pid: child.pid as number,
    onSubmit: (listener) => submitListeners.push(listener),
    nextBind: () => new Promise((done) => bindWaiters.push(done)),
    stats: () =>
      new Promise((done) => {
        statsWaiters.push(done);
        child.send('stats');
      }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The SMSC itself, in the child.

interface SmppPdu {
  readonly command: string;
  readonly system_id?: string;
  readonly destination_addr?: string;
  readonly source_addr?: string;
  readonly registered_delivery?: number;
  response(fields?: Record<string, unknown>): SmppPdu;
}

interface SmppSession {
  on(event: string, listener: (pdu: SmppPdu) => void): void;
  send(pdu: SmppPdu): void;
  deliver_sm(fields: Record<string, unknown>, answered?: (pdu: SmppPdu) => void): void;
}

interface SmppModule {
  createServer(listener: (session: SmppSession) => void): {
    listen(port: number, host: string, done: () => void): void;
    address(): { port: number };
  };
}

/** Appendix B of SMPP 3.4: YYMMDDhhmm. */
function receiptDate(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(now.getUTCFullYear() % 100)}${two(now.getUTCMonth() + 1)}${two(now.getUTCDate())}${two(now.getUTCHours())}${two(now.getUTCMinutes())}`;
}

function serveSmsc(reportEach: boolean): void {
  const smpp = createRequire(import.meta.url)('smpp') as SmppModule;
  let nextId = 1;
  let submits = 0;
  let receiptsSent = 0;
  let receiptsAnswered = 0;
  let firstSubmitNs: bigint | null = null;
  let lastSubmitNs: bigint | null = null;
  let pending: { destination: string; atNs: string }[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    process.send?.({ kind: 'submits', items: pending } satisfies SmscEvent);
    pending = [];
  };
  const server = smpp.createServer((session) => {
    const bind = (pdu: SmppPdu) => {
      session.send(pdu.response());
      process.send?.({ kind: 'bound', systemId: pdu.system_id ?? '' } satisfies SmscEvent);
    };
    session.on('bind_transceiver', bind);
    session.on('bind_transmitter', bind);
    session.on('bind_receiver', bind);
    session.on('enquire_link', (pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu) => session.send(pdu.response()));
    session.on('submit_sm', (pdu) => {
      const atNs = process.hrtime.bigint();
      submits++;
      firstSubmitNs ??= atNs;
      lastSubmitNs = atNs;
      if (reportEach) {
        // One IPC message per submit would cost the SMSC more than the submit: batched per turn of the event loop.
        if (pending.length === 0) setImmediate(flush);
        pending.push({ destination: pdu.destination_addr ?? '', atNs: String(atNs) });
      }
      const id = String(nextId++);
      session.send(pdu.response({ message_id: id }));
      if (((pdu.registered_delivery ?? 0) & 0x03) === 0) return;
      const date = receiptDate(new Date());
      receiptsSent++;
      session.deliver_sm(
        {
          source_addr: pdu.destination_addr,
          destination_addr: pdu.source_addr,
          esm_class: 0x04,
          short_message: `id:${id} sub:001 dlvrd:001 submit date:${date} done date:${date} stat:DELIVRD err:000 text:`,
          receipted_message_id: id,
          message_state: 2,
        },
        () => {
          receiptsAnswered++;
        },
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ kind: 'ready', port: server.address().port } satisfies SmscEvent);
  });
  process.on('message', (request) => {
    if (request !== 'stats') return;
    flush();
    const stats: SmscStats = {
      submits,
      receiptsSent,
      receiptsAnswered,
      firstSubmitNs: firstSubmitNs === null ? null : String(firstSubmitNs),
      lastSubmitNs: lastSubmitNs === null ? null : String(lastSubmitNs),
    };
    process.send?.({ kind: 'stats', stats } satisfies SmscEvent);
  });
  process.once('SIGTERM', () => process.exit(0));
  process.once('disconnect', () => process.exit(0));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF && process.argv[2] === 'smsc') {
  serveSmsc(process.argv[3] === 'each');
}
