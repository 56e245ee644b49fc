// Numbering benchmarks: numbers resolved per second (automaton vs libphonenumber-js parsing) and plan load time.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { createNumberingPlan } from '../src/domain/numbering/plan.js';
import { decodePlanTables, type PlanFile } from '../src/domain/numbering/plan-tables.js';
import { type BenchRow, formatRate, opsPerSecond, seededRandom } from './harness.js';

const requireFrom = createRequire(import.meta.url);
const PLAN_FILE = new URL('../data/numbering/plan/plan.json', import.meta.url);

/**
 * Numbers of every territory: each territory's example mobile number with its last digits redrawn, so most are
 * valid and operator prefixes vary; one in ten gets a digit more or less (invalid, still resolved).
 */
function sampleNumbers(count: number): string[] {
  const examples = requireFrom('libphonenumber-js/examples.mobile.json') as Record<string, string>;
  const metadata = requireFrom('libphonenumber-js/metadata.max.json') as { countries: Record<string, [string]> };
  const bases = Object.entries(examples).map(([iso, national]) => (metadata.countries[iso] as [string])[0] + national);
  const random = seededRandom(20_240_601);
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const base = bases[i % bases.length] as string;
    const keep = base.length - 4;
    let digits = base.slice(0, keep);
    for (let k = keep; k < base.length; k++) digits += String(Math.floor(random() * 10));
    const r = random();
    if (r < 0.05) digits += '7';
    else if (r < 0.1) digits = digits.slice(0, -1);
    out[i] = digits;
  }
  return out;
}

interface LoadRun {
  loadMs: number;
  heapMiB: number;
  rssMiB: number;
}

/** Load time is that of a fresh process: the plan is memoised, so a second call in this one would measure nothing. */
function loadInChild(): LoadRun {
  const loader = new URL('../src/data/numbering.ts', import.meta.url).href;
  const code = `
    const before = process.memoryUsage();
    const t0 = performance.now();
    const { loadNumberingPlan } = await import(${JSON.stringify(loader)});
    loadNumberingPlan();
    const loadMs = performance.now() - t0;
    const after = process.memoryUsage();
    console.log(JSON.stringify({ loadMs, heapMiB: (after.heapUsed - before.heapUsed) / 2 ** 20, rssMiB: (after.rss - before.rss) / 2 ** 20 }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as LoadRun;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const load = loadInChild();
  rows.push({
    name: 'loadNumberingPlan() in a fresh process (read + decode tables, build operator index)',
    result: `${Math.round(load.loadMs)} ms`,
    target: '',
    notes: `heap +${load.heapMiB.toFixed(1)} MiB, RSS +${load.rssMiB.toFixed(1)} MiB (includes module import)`,
  });

  const plan = loadNumberingPlan();
  const numbers = sampleNumbers(1_000_000);
  let sink = 0;
  const resolveAll = (resolve: (d: string) => unknown) => () => {
    for (let i = 0; i < numbers.length; i++) if (resolve(numbers[i] as string) !== null) sink++;
  };
  const withOperators = opsPerSecond(resolveAll(plan.resolve), numbers.length, { warmupMs: 500, measureMs: 3000 });
  let valid = 0;
  let withOperator = 0;
  const territories = new Set<string>();
  for (const n of numbers) {
    const r = plan.resolve(n);
    if (r?.valid) valid++;
    if (r?.operator) withOperator++;
    if (r) territories.add(r.country.iso);
  }
  rows.push({
    name: `resolve(): ${numbers.length.toLocaleString('en-US')} numbers of ${territories.size} territories`,
    result: formatRate(withOperators, 'numbers/s'),
    target: '>= 1,000,000 numbers/s',
    notes: `country + validity + operator; ${((100 * valid) / numbers.length).toFixed(0)}% valid, ${((100 * withOperator) / numbers.length).toFixed(0)}% with a known operator`,
  });

  // The same walk without the operator prefix lookup, to show what the country automaton alone costs.
  const tables = decodePlanTables(JSON.parse(readFileSync(PLAN_FILE, 'utf8')) as PlanFile);
  const countriesOnly = createNumberingPlan({
    plan: tables,
    countries: plan.countries,
    operators: { lookup: () => null },
  });
  const alone = opsPerSecond(resolveAll(countriesOnly.resolve), numbers.length, { warmupMs: 500, measureMs: 2000 });
  rows.push({
    name: 'resolve() without operator lookup (country automaton alone)',
    result: formatRate(alone, 'numbers/s'),
    target: '',
    notes: `${tables.stateCount.toLocaleString('en-US')} states, tables ${Math.round((tables.transitions.byteLength + tables.outputs.byteLength) / 1024)} KiB`,
  });

  const baselineNumbers = numbers.slice(0, 50_000).map((n) => `+${n}`);
  const libphonenumber = opsPerSecond(
    () => {
      for (const n of baselineNumbers) {
        if (parsePhoneNumberFromString(n)?.isValid()) sink++;
      }
    },
    baselineNumbers.length,
    { warmupMs: 500, measureMs: 3000 },
  );
  rows.push({
    name: 'Baseline: libphonenumber-js/max parsePhoneNumberFromString + isValid, same numbers',
    result: formatRate(libphonenumber, 'numbers/s'),
    target: '',
    notes: `resolve() is ${(withOperators / libphonenumber).toFixed(0)}× faster; first 50,000 of the numbers`,
  });
  if (sink === 0) throw new Error('no number resolved: the measured loops did nothing');
  return rows;
}
