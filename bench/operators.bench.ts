// Operator prefix lookup benchmarks: lookups per second over numbers from many countries, and index start-up time.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import metadata from 'libphonenumber-js/metadata.min.json';
import { type CarrierTable, createOperatorIndex, parseAliasesCsv } from '../src/domain/numbering/operators.js';
import { type BenchRow, formatRate, opsPerSecond, seededRandom } from './harness.js';

const DATA = new URL('../data/numbering/operators/', import.meta.url);
const NUMBERS = 100_000;
/** Share of numbers drawn from a carrier prefix; the rest are random digits after a real calling code (mostly misses). */
const FROM_PREFIX = 0.8;

interface Input {
  readonly digits: string[];
  readonly isos: string[];
}

function readTables(): { carriers: CarrierTable; aliasesText: string } {
  return {
    carriers: JSON.parse(readFileSync(new URL('carriers.json', DATA), 'utf8')) as CarrierTable,
    aliasesText: readFileSync(new URL('aliases.csv', DATA), 'utf8'),
  };
}

/** Numbers of 10 to 13 digits; the territory is the calling code's main one, as a resolver would mostly report. */
function buildInput(carriers: CarrierTable): Input {
  const random = seededRandom(20240611);
  const callingCodes = metadata.country_calling_codes as Record<string, string[]>;
  const prefixes: { cc: string; prefix: string }[] = [];
  for (const [cc, byName] of Object.entries(carriers)) {
    for (const list of Object.values(byName)) for (const prefix of list) prefixes.push({ cc, prefix });
  }
  const codes = Object.keys(callingCodes);
  const randomDigits = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(random() * 10));
    return s;
  };
  const digits: string[] = [];
  const isos: string[] = [];
  for (let i = 0; i < NUMBERS; i++) {
    let cc: string;
    let head: string;
    if (random() < FROM_PREFIX) {
      const p = prefixes[Math.floor(random() * prefixes.length)] as { cc: string; prefix: string };
      cc = p.cc;
      head = cc + p.prefix;
    } else {
      cc = codes[Math.floor(random() * codes.length)] as string;
      head = cc;
    }
    const length = 10 + Math.floor(random() * 4);
    digits.push(head + randomDigits(Math.max(length - head.length, 1)));
    isos.push(callingCodes[cc]?.[0] ?? '001');
  }
  return { digits, isos };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // Start-up: read + parse both files and compile the trie, as the loader does once per process.
  const startup: number[] = [];
  const buildOnly: number[] = [];
  let tables = readTables();
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    tables = readTables();
    const aliases = parseAliasesCsv(tables.aliasesText);
    const t1 = performance.now();
    createOperatorIndex({ carriers: tables.carriers, aliases });
    const t2 = performance.now();
    startup.push(t2 - t0);
    buildOnly.push(t2 - t1);
  }
  const index = createOperatorIndex({ carriers: tables.carriers, aliases: parseAliasesCsv(tables.aliasesText) });
  rows.push({
    name: 'Start-up: read + parse carriers.json and aliases.csv, build the index',
    result: `${median(startup).toFixed(1)} ms`,
    target: '',
    notes: `first run ${(startup[0] as number).toFixed(1)} ms; index build alone ${median(buildOnly).toFixed(1)} ms (median of 7); ${index.prefixCount.toLocaleString('en-US')} prefixes, ${index.nodeCount.toLocaleString('en-US')} trie nodes, ${((index.nodeCount * 11 * 4) / 2 ** 20).toFixed(1)} MiB of typed arrays`,
  });

  const { digits, isos } = buildInput(tables.carriers);
  let found = 0;
  let mapped = 0;
  for (let i = 0; i < digits.length; i++) {
    const m = index.lookup(digits[i] as string, isos[i] as string);
    if (m) found++;
    if (m?.mnc) mapped++;
  }
  let checksum = 0;
  const rate = opsPerSecond(
    () => {
      for (let i = 0; i < digits.length; i++) {
        if (index.lookup(digits[i] as string, isos[i] as string) !== null) checksum++;
      }
    },
    digits.length,
    { warmupMs: 500, measureMs: 2000 },
  );
  if (checksum === 0) throw new Error('benchmark found no operator');
  const territories = new Set(isos).size;
  rows.push({
    name: `lookup(): ${digits.length.toLocaleString('en-US')} numbers of ${territories} territories`,
    result: formatRate(rate, 'lookups/s'),
    target: '>= 2,000,000 lookups/s',
    notes: `${((100 * found) / digits.length).toFixed(0)}% with an operator, ${((100 * mapped) / digits.length).toFixed(0)}% with an MCC/MNC`,
  });
  return rows;
}
