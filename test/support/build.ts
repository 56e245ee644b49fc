// The compiled server (dist/) and dashboard (dist/web/) that the CLI and browser tests run: built once before the
// suite by the global setup when older than their sources, and checked by the tests that use them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const WEB = join(ROOT, 'web');
const WEB_ENTRY = join(DIST, 'web', 'index.html');

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** What is missing from the build or older than its source (server modules by file, the dashboard as a whole). */
export function staleBuild(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
        const built = join(DIST, relative(SRC, path)).replace(/\.ts$/, '.js');
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs) stale.push(relative(ROOT, path));
      }
    }
  };
  walk(SRC);
  if (!existsSync(WEB_ENTRY) || statSync(WEB_ENTRY).mtimeMs < newestMtimeMs(WEB)) stale.push('web/');
  return stale;
}

/** Runs `npm run build` when the build is stale; throws if it is still stale after. */
export function buildIfStale(): void {
  if (staleBuild().length === 0) return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  // tsc still writes dist/ when it finds type errors; the commands can then run, and the type check reports them.
  if (build.status !== 0) console.warn(`npm run build exited with ${build.status}:\n${build.stdout}${build.stderr}`);
  const left = staleBuild();
  if (left.length > 0) throw new Error(`npm run build left dist/ older than ${left.join(', ')}`);
}

/** Throws unless the build is current: the suite's global setup builds it; a single file run needs it built too. */
export function requireCurrentBuild(): void {
  const stale = staleBuild();
  if (stale.length > 0) {
    throw new Error(`dist/ is older than ${stale.slice(0, 5).join(', ')}: run \`npm run build\` (npm test does it)`);
  }
}
