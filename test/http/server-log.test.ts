// The server's own log on standard output: one whole JSON line per request answered, secrets redacted, every line
// written by the time the process has ended (its last words at shutdown included).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, ROOT } from '../support/browser.js';

const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const REQUESTS = 40;

let child: ChildProcess;
let dir: string;
let output = '';
let base = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smsgic-log-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--api'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  for (let tries = 0; (await fetch(`${base}/status`).catch(() => null))?.ok !== true; tries++) {
    if (tries > 600 || child.exitCode !== null) throw new Error(`the server did not answer:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 90_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('writes one whole line per request answered, many at once, and every line before the process ends', async () => {
  const answers = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      fetch(`${base}/status?token=SECRET-${i}&n=${i}`, { headers: { 'x-request-id': `log-test-${i}` } }),
    ),
  );
  expect(answers.map((res) => res.status)).toEqual(Array(REQUESTS).fill(200));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  expect(output.endsWith('\n')).toBe(true);
  const lines = output
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const answered = lines.filter((line) => String(line.request_id).startsWith('log-test-'));
  expect(answered.map((line) => line.request_id).sort()).toEqual(
    Array.from({ length: REQUESTS }, (_, i) => `log-test-${i}`).sort(),
  );
  for (const line of answered) {
    const n = String(line.request_id).slice('log-test-'.length);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      method: 'GET',
      url: `/status?token=[Redacted]&n=${n}`,
      status_code: 200,
    });
  }
  expect(output).not.toContain('SECRET-');
  // Written as the process stopped, after the last request.
  expect(lines.at(-1)).toMatchObject({ msg: 'shutting down', signal: 'SIGTERM' });
}, 60_000);
