#!/usr/bin/env node
// The operator command line: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('smsgic: the project is not built yet; run `npm run build` first.');
  process.exit(1);
}
await import(entry);
