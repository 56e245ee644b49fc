// Operator lookup against the committed data/numbering/operators/ tables, and consistency checks on those tables.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type AliasRow, type CarrierTable, createOperatorIndex, displayName, parseAliasesCsv } from './operators.js';

const DATA = new URL('../../../data/numbering/operators/', import.meta.url);
const readText = (file: string) => readFileSync(new URL(file, DATA), 'utf8');
const readJson = <T>(file: string) => JSON.parse(readText(file)) as T;

interface Network {
  mcc: string;
  mnc: string;
  name: string;
  brand?: string;
}

const carriers = readJson<CarrierTable>('carriers.json');
const aliases = parseAliasesCsv(readText('aliases.csv'));
const overrides = parseAliasesCsv(readText('aliases.overrides.csv'));
const countryMcc = readJson<Record<string, string[]>>('country-mcc.json');
const mbpiNetworks = readJson<Record<string, Network[]>>('networks.json');
const wikiNetworks = readJson<{ networks: Record<string, Network[]> }>('mcc-mnc-wikipedia.json').networks;
const index = createOperatorIndex({ carriers, aliases });

type Expected = readonly [name: string, mcc: string | null, mnc: string | null] | null;

/** [international digits, territory, expected]; comments say which case a row covers. */
const fixtures: Record<string, readonly (readonly [string, string, Expected])[]> = {
  Latvia: [
    ['37126123456', 'LV', ['LMT', '247', '01']],
    ['37122301234', 'LV', ['Tele2', '247', '02']],
    // +371 223 is Tele2, +371 2239 Bite.
    ['37122391234', 'LV', ['Bite Latvia', '247', '05']],
    ['37167123456', 'LV', null], // Riga fixed line
    // Every Latvian name maps; the alias table is per territory, so the same name under another one does not.
    ['37126123456', 'EE', ['LMT', null, null]],
  ],
  Denmark: [
    ['4520123456', 'DK', ['TDC', '238', '01']],
    ['4560123456', 'DK', ['Telia', '238', '20']],
    ['4525123456', 'DK', ['Telenor', '238', '02']],
    // +45 25 is Telenor, +45 2597 is 3.
    ['4525971234', 'DK', ['3', '238', '06']],
    ['4580123456', 'DK', null], // freephone
    ['4592291234', 'DK', ['Beepsend AB', null, null]],
  ],
  'United Kingdom': [
    ['447956123456', 'GB', ['EE', '234', '30']],
    ['447731123456', 'GB', ['O2', '234', '10']],
    ['447400123456', 'GB', ['Three', '234', '20']],
    // +44 773 is O2, +44 7735 Three; +44 7452 is Manx Telecom, +44 74527 Three.
    ['447735123456', 'GB', ['Three', '234', '20']],
    ['447452123456', 'GB', ['Manx Telecom', '234', '58']],
    ['447452712345', 'GB', ['Three', '234', '20']],
    ['442079460000', 'GB', null], // London fixed line
    ['447911212345', 'GB', ['Sure', null, null]], // a Sure range libphonenumber keeps in GB: which island is unknown
    // Sure ranges inside the Crown dependencies' own number blocks.
    ['447781123456', 'GG', ['Sure', '234', '55']],
    ['447797123456', 'JE', ['JT', '234', '50']],
    ['447624123456', 'IM', ['Manx Telecom', '234', '58']],
  ],
  Germany: [
    ['4915112345678', 'DE', ['T-Mobile', '262', '01']],
    ['491621234567', 'DE', ['Vodafone', '262', '02']],
    ['4917612345678', 'DE', ['O2', '262', '03']],
    ['4930123456', 'DE', null], // Berlin fixed line
    ['491505012345', 'DE', ['NAKA AG', null, null]],
    // The German data has no nested prefixes: a digit past the 3-digit block changes nothing.
    ['4915119999999', 'DE', ['T-Mobile', '262', '01']],
  ],
  'United States': [
    // +1 carrier data covers the Caribbean and Pacific territories; US area codes are almost absent.
    ['12015550123', 'US', null],
    ['16592001234', 'US', ['Onvoy', null, null]],
    // Barbados (+1 246): 24625 is Cable & Wireless, 246256 Digicel.
    ['12462501234', 'BB', ['Cable & Wireless', '342', '600']],
    ['12462561234', 'BB', ['Digicel', '342', '750']],
  ],
  Brazil: [
    ['5511971234567', 'BR', ['Vivo', '724', '06']],
    // +55 119691 is Claro, +55 1196910 Vivo.
    ['5511969191234', 'BR', ['Claro', '724', '05']],
    ['5511969101234', 'BR', ['Vivo', '724', '06']],
    ['551133334444', 'BR', null], // São Paulo fixed line
    ['5511971234567', 'PT', ['Vivo', null, null]],
  ],
  India: [
    ['918800123456', 'IN', ['Airtel', '404', '10']],
    ['919930123456', 'IN', ['Vodafone', '404', '11']],
    // +91 7658 is Idea, +91 76580 Tata Docomo (merged into Airtel: known, not mapped).
    ['917658123456', 'IN', ['Idea', '404', '11']],
    ['917658012345', 'IN', ['Tata Docomo', null, null]],
    ['917031234567', 'IN', ['Aircel', null, null]],
    ['911123456789', 'IN', null], // Delhi fixed line
  ],
  Singapore: [
    ['6590123456', 'SG', ['SingTel', '525', '01']],
    // +65 835 is SingTel, +65 8352 StarHub.
    ['6583511234', 'SG', ['SingTel', '525', '01']],
    ['6583521234', 'SG', ['StarHub', '525', '05']],
    ['6562345678', 'SG', null], // fixed line
    ['6580971234', 'SG', ['CUniq', null, null]],
  ],
};

describe('operator lookup on the generated tables', () => {
  for (const [country, rows] of Object.entries(fixtures)) {
    it(country, () => {
      for (const [digits, iso, expected] of rows) {
        const match = index.lookup(digits, iso);
        const got = match === null ? null : [match.name, match.mcc, match.mnc];
        expect(got, `${digits} in ${iso}`).toEqual(expected);
      }
    });
  }

  it('Singapore M1 and Circles.Life have their own codes', () => {
    const m1 = carriers['65']?.M1?.[0];
    const circles = carriers['65']?.['Circle.Life']?.[0];
    expect(m1 && index.lookup(`65${m1.padEnd(8, '0')}`, 'SG')).toEqual({ name: 'M1', mcc: '525', mnc: '03' });
    expect(circles && index.lookup(`65${circles.padEnd(8, '0')}`, 'SG')).toEqual({
      name: 'Circle.Life',
      mcc: '525',
      mnc: '09',
    });
  });

  it('returns shared, frozen objects', () => {
    const a = index.lookup('37126123456', 'LV');
    const b = index.lookup('37126123457', 'LV');
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(index.lookup('37126123456', 'EE')).toBe(index.lookup('37126123457', 'XX'));
  });

  it('rejects non-digits and matches nothing on empty input', () => {
    expect(index.lookup('+37126123456', 'LV')).toBeNull();
    expect(index.lookup('3712612 3456', 'LV')).toBeNull();
    expect(index.lookup('', 'LV')).toBeNull();
    // A prefix shorter than the data's: no prefix ends before the input does.
    expect(index.lookup('3712', 'LV')).toBeNull();
  });

  it('compiles every prefix of carriers.json', () => {
    const total = Object.values(carriers).reduce(
      (n, byName) => n + Object.values(byName).reduce((m, prefixes) => m + prefixes.length, 0),
      0,
    );
    expect(index.prefixCount).toBe(total);
    expect(total).toBeGreaterThan(25_000);
  });
});

describe('createOperatorIndex on small tables', () => {
  const tables = {
    carriers: { '45': { tdc: ['2', '20'], telenor: ['201'] }, '1': { Digicel: ['2468'] } },
    aliases: [
      { iso: 'DK', name: 'tdc', mcc: '238', mnc: '01' },
      { iso: 'DK', name: 'telenor', mcc: null, mnc: null },
    ],
  };
  const small = createOperatorIndex(tables);

  it('takes the longest prefix and the alias of the given territory', () => {
    expect(small.lookup('4520000000', 'DK')).toEqual({ name: 'TDC', mcc: '238', mnc: '01' });
    expect(small.lookup('4520100000', 'DK')).toEqual({ name: 'Telenor', mcc: null, mnc: null });
    expect(small.lookup('4530000000', 'DK')).toBeNull();
    expect(small.lookup('12468001234', 'AI')).toEqual({ name: 'Digicel', mcc: null, mnc: null });
    expect(small.prefixCount).toBe(4);
  });

  it('refuses a prefix given to two names', () => {
    expect(() => createOperatorIndex({ carriers: { '45': { a: ['20'], b: ['20'] } }, aliases: [] })).toThrow(/both/);
    expect(() => createOperatorIndex({ carriers: { '45': { a: ['2x'] } }, aliases: [] })).toThrow(/non-digit/);
  });
});

describe('parseAliasesCsv', () => {
  it('reads quoted fields, comments and unmapped rows', () => {
    const rows = parseAliasesCsv(
      [
        'iso,carrier_name,mcc,mnc',
        '# reviewed',
        'GB,"Cable & Wireless, ""C&W""",234,58',
        'US,Onvoy,,',
        'DK,telia,238,',
        '',
      ].join('\r\n'),
    );
    expect(rows).toEqual<AliasRow[]>([
      { iso: 'GB', name: 'Cable & Wireless, "C&W"', mcc: '234', mnc: '58' },
      { iso: 'US', name: 'Onvoy', mcc: null, mnc: null },
      { iso: 'DK', name: 'telia', mcc: null, mnc: null },
    ]);
  });

  it('rejects malformed rows', () => {
    expect(() => parseAliasesCsv('GB,O2,234')).toThrow(/4 fields/);
    expect(() => parseAliasesCsv('GB,O2,23,10')).toThrow(/MCC/);
    expect(() => parseAliasesCsv('gb,O2,234,10')).toThrow(/territory/);
    expect(() => parseAliasesCsv('GB,"O2,234,10')).toThrow(/quote/);
  });
});

describe('generated operator tables', () => {
  const networkIds = (iso: string) =>
    new Set([...(mbpiNetworks[iso] ?? []), ...(wikiNetworks[iso] ?? [])].map((n) => `${n.mcc}-${n.mnc}`));
  const overrideKeys = new Set(overrides.map((r) => `${r.iso}|${r.name}|${r.mcc}|${r.mnc}`));

  it('maps every alias to a network the sources list for that territory, unless reviewed by hand', () => {
    const unknown = aliases.filter(
      (r) =>
        r.mnc !== null &&
        !networkIds(r.iso).has(`${r.mcc}-${r.mnc}`) &&
        !overrideKeys.has(`${r.iso}|${r.name}|${r.mcc}|${r.mnc}`),
    );
    expect(unknown).toEqual([]);
  });

  it('gives every alias an MCC of its territory', () => {
    const foreign = aliases.filter((r) => r.mcc !== null && !(countryMcc[r.iso] ?? []).includes(r.mcc));
    expect(foreign).toEqual([]);
  });

  it('lists each (territory, carrier name) once, and only names carriers.json knows', () => {
    const names = new Set(Object.values(carriers).flatMap((byName) => Object.keys(byName)));
    const keys = aliases.map((r) => `${r.iso}|${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(aliases.filter((r) => !names.has(r.name))).toEqual([]);
  });

  it('applies every override', () => {
    const byKey = new Map(aliases.map((r) => [`${r.iso}|${r.name}`, r]));
    for (const o of overrides) expect(byKey.get(`${o.iso}|${o.name}`), `${o.iso} ${o.name}`).toEqual(o);
  });

  it('uses 3-digit MCCs and 2-3 digit MNCs throughout', () => {
    for (const [iso, mccs] of Object.entries(countryMcc)) {
      expect(iso).toMatch(/^([A-Z]{2}|001)$/);
      expect(mccs.length).toBeGreaterThan(0);
      for (const mcc of mccs) expect(mcc).toMatch(/^\d{3}$/);
    }
    for (const table of [mbpiNetworks, wikiNetworks]) {
      for (const list of Object.values(table)) {
        for (const n of list) {
          expect(n.mcc).toMatch(/^\d{3}$/);
          expect(n.mnc).toMatch(/^\d{2,3}$/);
        }
      }
    }
    for (const r of aliases) {
      if (r.mcc !== null) expect(r.mcc).toMatch(/^\d{3}$/);
      if (r.mnc !== null) expect(r.mnc).toMatch(/^\d{2,3}$/);
    }
  });

  it('gives the Crown dependencies and shared-code territories the MCC the sources list', () => {
    expect(countryMcc.GB).toEqual(['234', '235']);
    for (const iso of ['GG', 'JE', 'IM']) expect(countryMcc[iso]).toEqual(['234']);
    expect(countryMcc.LV).toEqual(['247']);
    expect(countryMcc.US?.[0]).toBe('310');
    expect(countryMcc.IN?.slice(0, 2)).toEqual(['404', '405']);
    expect(countryMcc.PR?.[0]).toBe('330');
  });
});

describe('displayName', () => {
  it.each([
    ['telenor', 'Telenor'],
    ['tdc', 'TDC'],
    ['cbb mobil', 'CBB Mobil'],
    ['lycamobile denmark ltd', 'Lycamobile Denmark Ltd'],
    ['3', '3'],
    ['LMT', 'LMT'],
    ['Bite Latvia', 'Bite Latvia'],
    ['myrepublic', 'Myrepublic'],
  ])('shows %j as %j', (raw, shown) => {
    expect(displayName(raw)).toBe(shown);
  });
});
