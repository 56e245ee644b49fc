// One clock: the code reads the current time only through a clock it is handed (src/domain/time.ts), so tests can
// set the time and every part of a process agrees on it. Biome's noRestrictedGlobals cannot name `Date.now` (a member
// of an allowed global), so this reads the sources instead.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHECKOUT = join(import.meta.dirname, '../..');

/** Where the current time may be read directly, and why. */
const ALLOWED: readonly { readonly path: RegExp; readonly why: string }[] = [
  {
    path: /^src\/domain\/time\.ts$/,
    why: 'the system clocks (systemClockUs, systemMonotonicMs) everything else is given',
  },
  {
    path: /^src\/dispatch\/providers\/(?:.+\/)?simulator[^/]*\.ts$/,
    why: "the providers' simulators stand for another system, with a clock of its own",
  },
];

/** `Date.now` (called or passed on) and `new Date()` without an argument: the current time read directly. */
const CURRENT_TIME = /\bDate\.now\b|\bnew Date\s*\(\s*\)/;

async function sources(): Promise<string[]> {
  const entries = await readdir(join(CHECKOUT, 'src'), { recursive: true });
  return entries
    .map((entry) => `src/${entry.split('\\').join('/')}`)
    .filter((path) => /\.tsx?$/.test(path))
    .sort();
}

describe('one clock', () => {
  it('is read directly only in src/domain/time.ts and the simulators', async () => {
    const found: string[] = [];
    for (const path of await sources()) {
      if (ALLOWED.some((allowed) => allowed.path.test(path))) continue;
      const lines = (await readFile(join(CHECKOUT, path), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (CURRENT_TIME.test(line)) found.push(`${path}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('would catch a direct read', () => {
    expect(CURRENT_TIME.test('const nowMs = Date.now();')).toBe(true);
    expect(CURRENT_TIME.test('const clock = Date.now;')).toBe(true);
    expect(CURRENT_TIME.test('const now = new Date();')).toBe(true);
    expect(CURRENT_TIME.test('const then = new Date(ms);')).toBe(false);
    expect(ALLOWED.some((allowed) => allowed.path.test('src/dispatch/providers/smpp/session.ts'))).toBe(false);
    expect(ALLOWED.some((allowed) => allowed.path.test('src/dispatch/providers/http/simulator-server.ts'))).toBe(true);
  });
});
