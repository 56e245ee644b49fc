// Writes data/rates/sample-default-rates.csv: SAMPLE prices for the platform default list, one country-wide row per MCC.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Country } from '../src/domain/numbering/types.js';

const countries = JSON.parse(
  readFileSync(new URL('../data/numbering/plan/countries.json', import.meta.url), 'utf8'),
) as Country[];

/** Sample price of one part by the MCC's ITU zone (first digit): plausible orders of magnitude, not a real offer. */
const ZONE_RATE: Readonly<Record<string, string>> = {
  '2': '0.0450', // Europe
  '3': '0.0120', // North America and the Caribbean
  '4': '0.0380', // Asia and the Middle East
  '5': '0.0550', // Oceania and South-East Asia
  '6': '0.0650', // Africa
  '7': '0.0500', // Central and South America
  '9': '0.2500', // international networks
};

/** A few networks with prices of their own, to show operator rates beside country-wide ones. */
const NETWORK_RATES: ReadonlyArray<readonly [mcc: string, mnc: string, rate: string]> = [
  ['247', '01', '0.0390'], // Latvia LMT
  ['247', '02', '0.0410'], // Latvia Tele2
  ['247', '05', '0.0420'], // Latvia Bite
  ['238', '02', '0.0400'], // Denmark Telenor
  ['234', '30', '0.0350'], // United Kingdom EE
];

const mccs = new Set<string>();
for (const country of countries) for (const mcc of country.mccs) mccs.add(mcc);
const lines = ['mcc,mnc,rate'];
for (const mcc of [...mccs].sort()) {
  const rate = ZONE_RATE[mcc[0] as string];
  if (rate) lines.push(`${mcc},,${rate}`);
}
for (const [mcc, mnc, rate] of NETWORK_RATES) lines.push(`${mcc},${mnc},${rate}`);
writeFileSync(new URL('../data/rates/sample-default-rates.csv', import.meta.url), `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length - 1} sample rates`);
