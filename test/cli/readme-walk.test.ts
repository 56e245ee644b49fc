// The README's five-minute walk, run as written against the built server: every command succeeds, and every answer
// the README prints whole (a JSON comment without an ellipsis) is the answer the server gives.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, startServer, type TestServer } from '../support/browser.js';

interface Step {
  readonly command: string;
  /** The answer the README shows after `#`, when it is whole JSON. */
  readonly shown?: unknown;
}

/** The shell steps of the README section that starts with `heading`, in order, continuation lines joined. */
function walkSteps(readme: string, heading: string): Step[] {
  const start = readme.indexOf(heading);
  if (start === -1) throw new Error(`README has no section ${heading}`);
  const end = readme.indexOf('\n## ', start + heading.length);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const steps: { command: string; shown?: unknown }[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = '';
    for (const line of (block[1] as string).split('\n')) {
      const [code = '', ...comment] = line.split(/\s#\s|^#\s/);
      const note = comment.join(' # ').trim();
      if (code.trim() === '' && note !== '') {
        // A comment on a line of its own shows the answer of the command above it.
        const last = steps.at(-1);
        if (last) last.shown = shownJson(note);
        continue;
      }
      if (code.trimEnd().endsWith('\\')) {
        pending += `${code.trimEnd().slice(0, -1)} `;
        continue;
      }
      const command = `${pending}${code}`.trim();
      pending = '';
      if (command === '') continue;
      steps.push({ command, shown: shownJson(note) });
    }
  }
  return steps;
}

function shownJson(note: string): unknown {
  if (note === '' || note.includes('…')) return undefined;
  try {
    return JSON.parse(note);
  } catch {
    return undefined;
  }
}

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'smsgic-readme-'));
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('runs the README five-minute walk as written, every command succeeding with the answers it shows', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const steps = walkSteps(readme, '## Five minutes from clone');
  expect(steps.length).toBeGreaterThan(10);
  const script = ['set -euo pipefail', `smsgic() { node ${JSON.stringify(join(ROOT, 'bin', 'smsgic.js'))} "$@"; }`];
  steps.forEach((step, index) => {
    let command = step.command
      .replace(/^npx smsgic /, 'smsgic ')
      .replace(/^API=.*$/, `API=${server.url}`)
      // Every request must succeed: curl fails on an HTTP error status, printing what the server said.
      .replace(/^curl -s /, 'curl -sS --fail-with-body ');
    if (/^export TOKEN=/.test(command)) {
      command = `export TOKEN=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0,"utf8")).token)' < ${join(dir, `${index - 1}.out`)})`;
    }
    script.push(`{ ${command} ; } > ${join(dir, `${index}.out`)}`);
  });
  writeFileSync(join(dir, 'walk.sh'), script.join('\n'));
  const run = spawnSync('bash', [join(dir, 'walk.sh')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: server.databaseUrl },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const failedAt = steps.findIndex((_, index) => {
    try {
      readFileSync(join(dir, `${index + 1}.out`));
      return false;
    } catch {
      return true;
    }
  });
  expect(run.status, `stopped at: ${steps[failedAt]?.command}\n${run.stderr}`).toBe(0);

  for (const [index, step] of steps.entries()) {
    if (step.shown === undefined) continue;
    const printed = readFileSync(join(dir, `${index}.out`), 'utf8');
    expect(JSON.parse(printed), step.command).toEqual(step.shown);
  }
  // The walk ends by cancelling the scheduled sending it created: that answer is a success, not a 404.
  const cancel = steps.findIndex((step) => /\/cancel/.test(step.command));
  expect(cancel).toBeGreaterThan(-1);
  expect(JSON.parse(readFileSync(join(dir, `${cancel}.out`), 'utf8'))).toMatchObject({
    sending: { status: 'Cancelled' },
  });
});
