// `smsgic serve` with both roles in one process runs the dispatch worker on a thread of its own: a sending still
// reaches the SMSC (one built on the npm `smpp` package), the thread's log lines are the process's own (one JSON line
// each, the SMSC's password redacted), and SIGTERM ends both with the process's exit code 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createDb } from '../../src/store/db.js';
import { createToken } from '../../src/store/tokens.js';
import { type PackagePdu, type PeerHandlers, type PeerSmsc, startPeerSmsc } from '../interop/smpp-peer.js';
import { freePort, ROOT } from '../support/browser.js';
import { fundedAccount } from '../support/store-fixtures.js';
import { waitFor } from '../support/wait.js';

const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const START_MS = 60_000;
const ESME_RBINDFAIL = 0x0d;

interface Served {
  readonly base: string;
  readonly databaseUrl: string;
  readonly password: string;
  readonly child: ChildProcess;
  output(): string;
  /** The JSON lines written so far. */
  lines(): Record<string, unknown>[];
}

let served: Served | undefined;
let smsc: PeerSmsc | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (served?.child.exitCode === null) served.child.kill('SIGKILL');
  await smsc?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  served = undefined;
  smsc = undefined;
  dir = undefined;
});

async function serveBoth(handlers: PeerHandlers): Promise<Served> {
  smsc = await startPeerSmsc(handlers);
  dir = mkdtempSync(join(tmpdir(), 'smsgic-thread-'));
  const port = await freePort();
  const password = `pw${randomBytes(3).toString('hex')}`;
  const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      REDIS_URL: '',
      SMPP_URL: `smpp://esme:${password}@127.0.0.1:${smsc.port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const lines = () =>
    output
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${line}\n${output}`);
        }
      });
  const started = Date.now();
  // Ready once the worker has started too (its thread compiles the sources first).
  while (!lines().some((line) => line.msg === 'dispatch worker started')) {
    if (Date.now() - started > START_MS || child.exitCode !== null) throw new Error(`not started:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { base: `http://127.0.0.1:${port}`, databaseUrl, password, child, output: () => output, lines };
}

async function stopped(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

it('hands a sending to the SMSC from the worker thread, logs as one process, and stops cleanly', async () => {
  const submits: PackagePdu[] = [];
  const server = await serveBoth({
    onSubmit: (pdu, session) => {
      submits.push(pdu);
      session.send(pdu.response({ message_id: `peer-${submits.length}` }));
    },
  });
  const db = await createDb(server.databaseUrl);
  let token: string;
  try {
    const accountId = await fundedAccount(db, 1_000_000);
    ({ token } = await createToken(db, accountId, { name: 'thread' }));
  } finally {
    await db.close();
  }
  const answer = await fetch(`${server.base}/sendings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'Your code is 123456', sender: 'SMSgic', recipients: ['37129123456'] }),
  });
  expect(answer.status).toBe(200);
  await waitFor(() => submits.length === 1, 'the submit_sm at the SMSC', 20_000);
  expect(submits[0]?.destination_addr).toBe('37129123456');

  expect(await stopped(server.child)).toBe(0);
  const lines = server.lines();
  const pids = new Set(lines.map((line) => line.pid));
  expect([...pids]).toEqual([server.child.pid]);
  const worker = lines.find((line) => line.msg === 'dispatch worker started');
  expect(worker?.workerId).toEqual(expect.stringContaining(`:${server.child.pid}:`));
  expect(lines.filter((line) => line.msg === 'dispatch worker started')).toHaveLength(1);
  expect(lines.some((line) => line.msg === 'providers ready')).toBe(true);
  expect(lines.at(-1)?.msg).toBe('dispatch worker stopped');
  expect(server.output()).not.toContain(server.password);
});

it("writes the worker thread's warnings in the process's log, with their error", async () => {
  const server = await serveBoth({
    onBind: (pdu, session) => session.send(pdu.response({ command_status: ESME_RBINDFAIL })),
  });
  await waitFor(
    () => server.lines().some((line) => line.msg === 'smpp bind refused; retrying with backoff'),
    'the bind refusal in the log',
    20_000,
  );
  const refusal = server.lines().find((line) => line.msg === 'smpp bind refused; retrying with backoff');
  expect(refusal).toMatchObject({ level: 40, provider: 'smpp', pid: server.child.pid });
  expect(String(refusal?.err)).toContain('bind refused');
  expect(await stopped(server.child)).toBe(0);
  expect(server.output()).not.toContain(server.password);
});
