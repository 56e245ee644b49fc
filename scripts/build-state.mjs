// Whether the build (dist/ for the server and CLI, dist/web/ for the dashboard) is older than its sources: read by
// `npm start` (scripts/start.mjs) to build only when needed, and by the test suite's global setup.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * What is missing from the build of `root` or older than its source: server modules by file, the dashboard as a whole
 * (`web/`), and the TypeScript settings.
 * @param {string} root
 * @returns {string[]}
 */
export function staleBuild(root) {
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  const webEntry = join(dist, 'web', 'index.html');
  const stale = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
        const built = join(dist, relative(src, path)).replace(/\.ts$/, '.js');
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs) stale.push(relative(root, path));
      }
    }
  };
  walk(src);
  if (!existsSync(webEntry) || statSync(webEntry).mtimeMs < newestMtimeMs(join(root, 'web'))) stale.push('web/');
  return stale;
}
