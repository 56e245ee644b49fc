// Runs the real `smsgic` command (bin/smsgic.js over dist/) as a child process and checks what an operator sees.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import type { Db } from '../../src/store/db.js';
import { requireCurrentBuild } from '../support/build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'smsgic.js');

/** The CLI runs from dist/: the suite's global setup builds it; this refuses to run a stale one. */
export const ensureBuilt = requireCurrentBuild;

export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node bin/smsgic.js ARGS…` with DATABASE_URL set, as an operator's shell runs it. */
export function smsgic(databaseUrl: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export type Json = Record<string, unknown>;

/** Runs a command with --json that must succeed: exit 0, nothing on stderr, exactly one JSON object on stdout. */
export async function ok<T = Json>(databaseUrl: string, ...args: string[]): Promise<T> {
  const outcome = await smsgic(databaseUrl, [...args, '--json']);
  expect(outcome, `smsgic ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  const lines = outcome.stdout.split('\n');
  expect(lines.at(-1), 'stdout ends with a newline').toBe('');
  expect(lines, 'one line of JSON on stdout').toHaveLength(2);
  const parsed: unknown = JSON.parse(lines[0] as string);
  expect(parsed).toBeTypeOf('object');
  expect(Array.isArray(parsed)).toBe(false);
  return parsed as T;
}

/**
 * Runs a command with --json that must fail with `exitCode`: nothing on stdout, one JSON object `{"error": …}` on
 * stderr. Returns the error text.
 */
export async function fails(databaseUrl: string, exitCode: 1 | 2, ...args: string[]): Promise<string> {
  const outcome = await smsgic(databaseUrl, [...args, '--json']);
  expect(outcome, `smsgic ${args.join(' ')}`).toMatchObject({ code: exitCode, stdout: '' });
  const parsed = JSON.parse(outcome.stderr) as { error?: unknown };
  expect(parsed.error).toBeTypeOf('string');
  const message = parsed.error as string;
  expect(message, 'a message, not a stack trace').not.toMatch(/\n\s+at /);
  return message;
}

/** A temporary folder for files the commands read (price lists), removed by the returned function. */
export function scratchFolder(): { path(name: string, content: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'smsgic-cli-'));
  return {
    path(name, content) {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The public API in-process over `db`, with limits high enough never to answer 429 in a test. */
export async function apiOver(db: Db): Promise<FastifyInstance> {
  return buildApp({
    services: createApiServices({ db, plan: loadNumberingPlan(), availableTypes: new Set(['default']) }),
    rateLimitPerMinute: 1_000_000,
    calculateRateLimitPerMinute: 1_000_000,
    bodyLimitBytes: 8 * 1024 * 1024,
  });
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
