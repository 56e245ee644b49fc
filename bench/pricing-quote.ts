// Child process of the pricing bench: quotes N distinct recipients once and prints time and peak memory as JSON.
import { performance } from 'node:perf_hooks';
import examples from 'libphonenumber-js/mobile/examples';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { createRateCard, priceSending, type RateRow } from '../src/domain/pricing.js';
import { quoteJsonChunks } from '../src/domain/quote-json.js';
import { seededRandom } from './harness.js';

const count = Number(process.argv[2] ?? 1_000_000);

const loadStart = performance.now();
const plan = loadNumberingPlan();
const loadMs = performance.now() - loadStart;

// Distinct recipients spread over every territory: each territory's example mobile number with its tail varied.
const random = seededRandom(42);
const seeds: string[] = [];
for (const [iso, national] of Object.entries(examples as Record<string, string>)) {
  const country = plan.countryByIso(iso);
  if (country) seeds.push(country.dialCode + national);
}
const seen = new Set<string>();
const recipients: string[] = [];
while (recipients.length < count) {
  const seed = seeds[Math.floor(random() * seeds.length)] as string;
  const tail = String(Math.floor(random() * 100_000)).padStart(5, '0');
  const digits = seed.slice(0, Math.max(seed.length - 5, 6)) + tail;
  if (digits.length < 8 || seen.has(digits)) continue;
  seen.add(digits);
  recipients.push(digits);
}
seen.clear();

// A price list with a country-wide rate for every MCC and an own rate for every second network met.
const rows: RateRow[] = [];
const networks = new Set<string>();
for (const country of plan.countries) for (const mcc of country.mccs) rows.push({ mcc, mnc: null, rateMinor: 450 });
for (const digits of recipients.slice(0, 50_000)) {
  const r = plan.resolve(digits);
  if (r?.mcc && r.mnc && !networks.has(`${r.mcc}${r.mnc}`)) {
    networks.add(`${r.mcc}${r.mnc}`);
    if (networks.size % 2 === 0) rows.push({ mcc: r.mcc, mnc: r.mnc, rateMinor: 397 });
  }
}
const rates = createRateCard(rows);

globalThis.gc?.();
const start = performance.now();
const result = priceSending(
  { message: 'Your code is 123456. It expires in 10 minutes.', recipients },
  { plan, rates, taxRatePpm: 210_000 },
);
const priceMs = performance.now() - start;
if (!result.ok) {
  console.error(JSON.stringify(result.errors.toJSON()).slice(0, 500));
  process.exit(1);
}
let bytes = 0;
for (const chunk of quoteJsonChunks(result.quote)) bytes += chunk.length;
const totalMs = performance.now() - start;

console.log(
  JSON.stringify({
    count,
    loadMs,
    priceMs,
    totalMs,
    bytes,
    destinations: result.quote.destinations.length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
