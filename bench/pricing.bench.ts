// Pricing benchmarks: a 1,000,000-recipient quote (time, peak memory) in a fresh process, and small quotes per second.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { createRateCard, priceSending } from '../src/domain/pricing.js';
import { type BenchRow, formatRate, opsPerSecond } from './harness.js';

interface QuoteRun {
  count: number;
  loadMs: number;
  priceMs: number;
  totalMs: number;
  bytes: number;
  destinations: number;
  maxRssMiB: number;
}

function quoteInChild(count: number): QuoteRun {
  const script = fileURLToPath(new URL('./pricing-quote.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, String(count)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as QuoteRun;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const count of [100_000, 1_000_000]) {
    const r = quoteInChild(count);
    rows.push({
      name: `Quote of ${count.toLocaleString('en-US')} distinct recipients (validate, dedupe, resolve, price, write JSON)`,
      result: `${Math.round(r.totalMs)} ms, peak RSS ${Math.round(r.maxRssMiB)} MiB`,
      target: count === 1_000_000 ? '< 3 s, < 500 MB' : '',
      notes: `pricing ${Math.round(r.priceMs)} ms + JSON ${Math.round(r.totalMs - r.priceMs)} ms (${(r.bytes / 2 ** 20).toFixed(0)} MiB, ${r.destinations} destinations); plan load ${Math.round(r.loadMs)} ms; RSS includes the input list and the loaded tables`,
    });
  }

  const plan = loadNumberingPlan();
  const rates = createRateCard(
    plan.countries.flatMap((c) => c.mccs.map((mcc) => ({ mcc, mnc: null, rateMinor: 450 }))),
  );
  const recipients = ['37129123456', '4520123456', '447911123456', '4915112345678', '14155550123'];
  const perSecond = opsPerSecond(() => {
    priceSending({ message: 'Hello from SMSgic', recipients }, { plan, rates, taxRatePpm: 0 });
  }, 1);
  rows.push({
    name: 'Quote of 5 recipients (live price while composing)',
    result: formatRate(perSecond, 'quotes/s'),
    target: '',
  });
  return rows;
}
