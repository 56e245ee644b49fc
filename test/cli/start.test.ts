// `npm start` on a built checkout: it serves without building again, its log names the API and dashboard URLs, and its
// dispatch worker starts.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { freePort, ROOT } from '../support/browser.js';
import { requireCurrentBuild } from '../support/build.js';

let child: ChildProcess | undefined;
let dir: string | undefined;

beforeAll(requireCurrentBuild);

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('serves from the existing build without building again, naming the dashboard URL', async () => {
  const built = statSync(join(ROOT, 'dist', 'main.js')).mtimeMs;
  const webBuilt = statSync(join(ROOT, 'dist', 'web', 'index.html')).mtimeMs;
  dir = mkdtempSync(join(tmpdir(), 'smsgic-start-'));
  const port = await freePort();
  let output = '';
  child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; (await fetch(`${url}/status`).catch(() => null))?.ok !== true; tries++) {
    if (tries > 300 || child.exitCode !== null) throw new Error(`npm start did not answer:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(output).not.toContain('building');
  expect(statSync(join(ROOT, 'dist', 'main.js')).mtimeMs).toBe(built);
  expect(statSync(join(ROOT, 'dist', 'web', 'index.html')).mtimeMs).toBe(webBuilt);
  expect(output).toContain(`dashboard on ${url}/app/`);
  expect((await fetch(`${url}/app/`)).status).toBe(200);
  // The dispatch worker, on a thread of its own loaded from the build, starts too.
  for (let tries = 0; !output.includes('"msg":"dispatch worker started"'); tries++) {
    if (tries > 300 || child.exitCode !== null) throw new Error(`the dispatch worker did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
