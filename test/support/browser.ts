// Browser tests' helpers: Debian's Chromium driven by playwright-core, and the built server (`node dist/main.js`) on
// a free port with its own SQLite database, plus the `smsgic` CLI against that same database.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { describe, it } from 'vitest';
import { requireCurrentBuild } from './build.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOTS_DIR = join(ROOT, 'test-results', 'screenshots');
const SERVER_ENTRY = join(ROOT, 'dist', 'main.js');
const WEB_ENTRY = join(ROOT, 'dist', 'web', 'index.html');
const CLI_ENTRY = join(ROOT, 'bin', 'smsgic.js');
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const underCi = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

/** Environment variables of the host that would change what the server under test talks to. */
const HOST_ONLY_ENV = /^(DATABASE_URL|PORT|HOST|PUBLIC_URL|REDIS_URL)$|^(INFOBIP|TWILIO|MESSENTE|TRUMPIA|SMPP)_/;

/**
 * Declares `body` when Chromium is installed; otherwise skipped with a notice, or one failing test under CI=true
 * (the suite must not pass quietly without a browser).
 */
export function describeWithChromium(title: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(title, body);
    return;
  }
  if (underCi) {
    describe(title, () => {
      it('Chromium is required under CI', () => {
        throw new Error(`Chromium is required under CI but ${CHROMIUM_PATH} does not exist (apt-get install chromium)`);
      });
    });
    return;
  }
  console.warn(
    `Chromium is not installed at ${CHROMIUM_PATH}: "${title}" is skipped. Under CI=true this is a failure.`,
  );
  describe.skip(title, body);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Throws unless `npm run build` has produced the server and the dashboard from the current sources. */
export function requireBuild(): void {
  const missing = [SERVER_ENTRY, WEB_ENTRY].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`the build is missing (${missing.join(', ')}): run \`npm run build\` before the browser tests`);
  }
  requireCurrentBuild();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly databaseUrl: string;
  /** Runs `smsgic ARGS --json` against the server's database and returns the JSON it prints. */
  cli<T = Record<string, unknown>>(args: readonly string[]): Promise<T>;
  /** What the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not answer GET /status within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
}

/** Starts `node dist/main.js` (API, dashboard and worker) on a fresh SQLite database with a fast sandbox. */
export async function startServer(extraEnv: Readonly<Record<string, string>> = {}): Promise<TestServer> {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'smsgic-browser-'));
  const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !HOST_ONLY_ENV.test(name)));
  const env = {
    ...baseEnv,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    SANDBOX_REPORT_DELAY_MS: '200',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  let printed = '';
  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer) => {
    printed = `${printed}${chunk.toString('utf8')}`.slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const output = () => printed;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilUp(url, child, output);
  } catch (error) {
    await stop();
    throw error;
  }

  const cli = <T>(args: readonly string[]) =>
    new Promise<T>((resolve, reject) => {
      execFile(
        process.execPath,
        [CLI_ENTRY, ...args, '--json'],
        { cwd: ROOT, env, timeout: 30_000 },
        (error, stdout, stderr) => {
          if (error) {
            reject(new Error(`smsgic ${args.join(' ')} failed: ${stderr || error.message}`));
            return;
          }
          try {
            resolve(JSON.parse(stdout) as T);
          } catch {
            reject(new Error(`smsgic ${args.join(' ')} printed no JSON: ${stdout}`));
          }
        },
      );
    });

  return { url, databaseUrl, cli, output, stop };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  return join(SCREENSHOTS_DIR, `${name}.png`);
}
