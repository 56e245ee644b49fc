// `npm run gen:numbering`: regenerates data/numbering/, operators first (the plan reads their country-mcc.json).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function runScript(name: string): void {
  const file = fileURLToPath(new URL(name, import.meta.url));
  if (!existsSync(file)) {
    process.stdout.write(`${name} not found, skipped\n`);
    return;
  }
  process.stdout.write(`${name}…\n`);
  execFileSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
}

runScript('./gen-operators.ts');
runScript('./gen-plan.ts');
