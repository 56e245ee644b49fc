// Regenerates data/numbering/plan/ (country catalog and compiled digit automaton) from libphonenumber-js's metadata.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import rawMetadata from 'libphonenumber-js/metadata.max.json';
import { callingCodesOf, compilePlan, type PhoneMetadata } from '../../src/domain/numbering/compile-plan.js';
import { createNumberingPlan } from '../../src/domain/numbering/plan.js';
import { encodePlanTables, type PlanFile } from '../../src/domain/numbering/plan-tables.js';
import type { Country } from '../../src/domain/numbering/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'data/numbering/plan');
const COUNTRY_MCC = path.join(ROOT, 'data/numbering/operators/country-mcc.json');
const requireFrom = createRequire(import.meta.url);
const metadata = rawMetadata as unknown as PhoneMetadata;

/** Our published docs show Latvia as `country_id: 1`; every other id follows from the first generation's order. */
const FIRST_ISO = 'LV';

/**
 * ITU names of the non-geographic calling codes, which CLDR has no region names for. MCC 901 is ITU's shared code
 * of the international mobile networks; the freephone, shared-cost, premium-rate and UPT codes have no networks.
 */
const NON_GEOGRAPHIC: Readonly<Record<string, { name: string; mobileNetworks: boolean }>> = {
  '800': { name: 'International Freephone Service (+800)', mobileNetworks: false },
  '808': { name: 'International Shared Cost Service (+808)', mobileNetworks: false },
  '870': { name: 'Inmarsat (+870)', mobileNetworks: true },
  '878': { name: 'Universal Personal Telecommunications (+878)', mobileNetworks: false },
  '881': { name: 'Global Mobile Satellite System (+881)', mobileNetworks: true },
  '882': { name: 'International Networks (+882)', mobileNetworks: true },
  '883': { name: 'International Networks (+883)', mobileNetworks: true },
  '888': { name: 'Telecommunications for Disaster Relief (+888)', mobileNetworks: false },
  '979': { name: 'International Premium Rate Service (+979)', mobileNetworks: false },
};

/** country-mcc.json keys every non-geographic code under libphonenumber's region "001". */
const NON_GEOGRAPHIC_MCC_KEY = '001';

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function packageVersion(name: string): string {
  return readJson<{ version: string }>(requireFrom.resolve(`${name}/package.json`)).version;
}

interface Territory {
  readonly iso: string;
  readonly dialCode: string;
  readonly nonGeographic: boolean;
}

function territoriesOf(md: PhoneMetadata): Territory[] {
  return callingCodesOf(md).flatMap(({ code, territories }) =>
    territories.map((t) => ({ iso: t.iso, dialCode: code, nonGeographic: md.nonGeographic?.[code] !== undefined })),
  );
}

/**
 * Names customers read on quotes and invoices: CLDR's standard English forms abbreviate ("St.", "&") or add
 * qualifiers ("SAR China", "Congo - Kinshasa"); these territories get their usual full English names instead.
 */
const NAME_OVERRIDES: Readonly<Record<string, string>> = {
  AG: 'Antigua and Barbuda',
  BA: 'Bosnia and Herzegovina',
  BL: 'Saint Barthélemy',
  CD: 'DR Congo',
  CG: 'Congo',
  HK: 'Hong Kong',
  KN: 'Saint Kitts and Nevis',
  LC: 'Saint Lucia',
  MF: 'Saint Martin',
  MM: 'Myanmar',
  MO: 'Macao',
  PM: 'Saint Pierre and Miquelon',
  SH: 'Saint Helena',
  SJ: 'Svalbard and Jan Mayen',
  ST: 'São Tomé and Príncipe',
  TC: 'Turks and Caicos Islands',
  TT: 'Trinidad and Tobago',
  VC: 'Saint Vincent and the Grenadines',
  WF: 'Wallis and Futuna',
};

function buildCatalog(territories: readonly Territory[], previous: readonly Country[]): Country[] {
  const countryMcc: Record<string, string[]> = existsSync(COUNTRY_MCC) ? readJson(COUNTRY_MCC) : {};
  if (!existsSync(COUNTRY_MCC)) process.stdout.write(`warning: ${COUNTRY_MCC} missing, every MCC is null\n`);
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

  const describe = (t: Territory): Omit<Country, 'id'> => {
    if (t.nonGeographic) {
      const known = NON_GEOGRAPHIC[t.dialCode];
      if (!known) throw new Error(`non-geographic calling code +${t.dialCode} has no name here: add it`);
      const mccs = known.mobileNetworks ? (countryMcc[NON_GEOGRAPHIC_MCC_KEY] ?? []) : [];
      return { iso: t.iso, name: known.name, dialCode: t.dialCode, mcc: mccs[0] ?? null, mccs };
    }
    const name = NAME_OVERRIDES[t.iso] ?? names.of(t.iso);
    if (!name) throw new Error(`no English name for region ${t.iso} in this Node's ICU`);
    const mccs = countryMcc[t.iso] ?? [];
    return { iso: t.iso, name, dialCode: t.dialCode, mcc: mccs[0] ?? null, mccs };
  };

  const byIso = new Map(territories.map((t) => [t.iso, t]));
  const catalog: Country[] = [];
  const placed = new Set<string>();
  for (const old of previous) {
    const now = byIso.get(old.iso);
    if (now) catalog.push({ id: old.id, ...describe(now) });
    else {
      // A territory gone from the metadata keeps its id (rates may still point at it); it just never resolves.
      process.stdout.write(`note: ${old.iso} (id ${old.id}) is no longer in the metadata, kept as is\n`);
      catalog.push(old);
    }
    placed.add(old.iso);
  }
  const fresh = territories
    .filter((t) => !placed.has(t.iso))
    .sort((a, b) => {
      if (a.iso === FIRST_ISO || b.iso === FIRST_ISO) return a.iso === FIRST_ISO ? -1 : 1;
      if (a.nonGeographic !== b.nonGeographic) return a.nonGeographic ? 1 : -1;
      return a.iso < b.iso ? -1 : a.iso > b.iso ? 1 : 0;
    });
  let nextId = catalog.reduce((max, c) => Math.max(max, c.id), 0) + 1;
  for (const t of fresh) catalog.push({ id: nextId++, ...describe(t) });
  return catalog.sort((a, b) => a.id - b.id);
}

function writeCatalog(file: string, catalog: readonly Country[]): void {
  const lines = catalog.map((c) =>
    JSON.stringify({ id: c.id, iso: c.iso, name: c.name, dialCode: c.dialCode, mcc: c.mcc, mccs: c.mccs }),
  );
  writeFileSync(file, `[\n  ${lines.join(',\n  ')}\n]\n`);
}

/** One field per line and one outcome per line, so that a regeneration's diff shows what changed in the outcomes. */
function formatPlanFile(file: PlanFile): string {
  const fields = Object.entries(file).map(([key, value]) => {
    if (key !== 'outcomes') return `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    const rows = (value as PlanFile['outcomes']).map((o) => `    ${JSON.stringify(o)}`);
    return `  "outcomes": [\n${rows.join(',\n')}\n  ]`;
  });
  return `{\n${fields.join(',\n')}\n}\n`;
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const countriesFile = path.join(OUT, 'countries.json');
  const previous: Country[] = existsSync(countriesFile) ? readJson(countriesFile) : [];
  const catalog = buildCatalog(territoriesOf(metadata), previous);
  if (catalog.find((c) => c.iso === FIRST_ISO)?.id !== 1) throw new Error(`${FIRST_ISO} must keep id 1`);

  const started = performance.now();
  const tables = compilePlan(metadata);
  const compileMs = performance.now() - started;

  // Every territory's example number must resolve, valid, within its calling code; examples in ranges a territory
  // shares with its code's main territory (Åland with Finland, say) resolve to the main one, as in libphonenumber.
  const plan = createNumberingPlan({ plan: tables, countries: catalog, operators: { lookup: () => null } });
  const examples = readJson<Record<string, string>>(requireFrom.resolve('libphonenumber-js/examples.mobile.json'));
  const shared: string[] = [];
  for (const [iso, national] of Object.entries(examples)) {
    const country = plan.countryByIso(iso);
    const r = country && plan.resolve(country.dialCode + national);
    const main = metadata.country_calling_codes[country?.dialCode ?? '']?.[0];
    if (!r?.valid || (r.country.iso !== iso && r.country.iso !== main)) {
      throw new Error(`example ${iso} ${national} resolves to ${r ? `${r.country.iso} valid=${r.valid}` : 'nothing'}`);
    }
    if (r.country.iso !== iso) shared.push(`${iso}→${r.country.iso}`);
  }

  writeCatalog(countriesFile, catalog);
  const file = encodePlanTables(tables, { libphonenumberJs: packageVersion('libphonenumber-js') });
  writeFileSync(path.join(OUT, 'plan.json'), formatPlanFile(file));

  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`libphonenumber-js ${file.source.libphonenumberJs}, Node ${process.version}, ICU ${process.versions.icu}`);
  const before = new Set(previous.map((c) => c.iso));
  log(`countries: ${catalog.length} (${catalog.filter((c) => !before.has(c.iso)).length} new)`);
  log(`examples in ranges shared with the main territory: ${shared.join(' ')}`);
  log(
    `automaton: ${tables.stateCount} states, ${tables.outcomes.length - 1} outcomes, compiled in ${Math.round(compileMs)} ms`,
  );
}

main();
