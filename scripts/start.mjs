// `npm start`: builds the server and the dashboard only when a source is newer than its build (the build `npm ci` ran
// is reused as it is), then runs the server: API, dashboard and dispatch worker in one process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { staleBuild } from './build-state.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const stale = staleBuild(root);
if (stale.length > 0) {
  console.error(
    `smsgic: building (${stale.length} changed: ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''})`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(new URL('../dist/main.js', import.meta.url).href);
