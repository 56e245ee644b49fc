// The compiled server (dist/) and dashboard (dist/web/) that the CLI and browser tests run: built once before the
// suite by the global setup when older than their sources, and checked by the tests that use them.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { staleBuild as staleBuildOf } from '../../scripts/build-state.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What is missing from the build or older than its source (server modules by file, the dashboard as a whole). */
export function staleBuild(): string[] {
  return staleBuildOf(ROOT);
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
