// The shipped numbering plan: fixtures per country, shared calling codes, lenient resolution, and libphonenumber-js parity.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isValidPhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../../test/support/random.js';
import { loadNumberingPlan } from '../../data/numbering.js';
import { compilePlan, type PhoneMetadata } from './compile-plan.js';
import { createNumberingPlan } from './plan.js';
import { decodePlanTables, encodePlanTables, type PlanFile } from './plan-tables.js';
import type { OperatorMatch } from './types.js';

const requireFrom = createRequire(import.meta.url);
const metadata = requireFrom('libphonenumber-js/metadata.max.json') as PhoneMetadata;
const examples = requireFrom('libphonenumber-js/examples.mobile.json') as Record<string, string>;
const planFile = JSON.parse(
  readFileSync(new URL('../../../data/numbering/plan/plan.json', import.meta.url), 'utf8'),
) as PlanFile;
const plan = loadNumberingPlan();

/** Every calling code (geographic and not) → main territory's catalog ISO code. */
const mainByCode = new Map<string, string>([
  ...Object.entries(metadata.country_calling_codes).map(([code, isos]) => [code, isos[0] as string] as const),
  ...Object.keys(metadata.nonGeographic ?? {}).map((code) => [code, `001-${code}`] as const),
]);

function callingCodeOf(digits: string): string | undefined {
  for (let n = 1; n <= 3; n++) if (mainByCode.has(digits.slice(0, n))) return digits.slice(0, n);
  return undefined;
}

describe('country catalog', () => {
  it('has Latvia as id 1, unique ids and ISO codes, and every territory of the metadata', () => {
    expect(plan.countryById(1)).toMatchObject({ iso: 'LV', name: 'Latvia', dialCode: '371', mcc: '247' });
    const ids = new Set(plan.countries.map((c) => c.id));
    const isos = new Set(plan.countries.map((c) => c.iso));
    expect(ids.size).toBe(plan.countries.length);
    expect(isos.size).toBe(plan.countries.length);
    for (const [code, territories] of Object.entries(metadata.country_calling_codes)) {
      for (const iso of territories) expect(plan.countryByIso(iso)?.dialCode).toBe(code);
    }
    for (const code of Object.keys(metadata.nonGeographic ?? {})) {
      expect(plan.countryByIso(`001-${code}`)?.dialCode).toBe(code);
    }
    for (const c of plan.countries) {
      expect(c.mcc).toBe(c.mccs[0] ?? null);
      for (const mcc of c.mccs) expect(mcc).toMatch(/^\d{3}$/);
    }
  });

  it('uses CLDR English names', () => {
    const names = Object.fromEntries(
      ['RU', 'US', 'GB', 'KR', 'DE', 'CI'].map((iso) => [iso, plan.countryByIso(iso)?.name]),
    );
    expect(names).toEqual({
      RU: 'Russia',
      US: 'United States',
      GB: 'United Kingdom',
      KR: 'South Korea',
      DE: 'Germany',
      CI: 'Côte d’Ivoire',
    });
    expect(plan.countryByIso('001-881')?.name).toBe('Global Mobile Satellite System (+881)');
  });
});

describe('resolve: fixtures', () => {
  const cases: [digits: string, iso: string, dialCode: string, mcc: string, valid: boolean, mobile: boolean][] = [
    ['37129123456', 'LV', '371', '247', true, true],
    ['37167123456', 'LV', '371', '247', true, false],
    ['4520123456', 'DK', '45', '238', true, true],
    ['447400123456', 'GB', '44', '234', true, true],
    ['442071838750', 'GB', '44', '234', true, false],
    ['4915112345678', 'DE', '49', '262', true, true],
    ['493012345678', 'DE', '49', '262', true, false],
    ['12125550123', 'US', '1', '310', true, true],
    ['5511987654321', 'BR', '55', '724', true, true],
    ['551133334444', 'BR', '55', '724', true, false],
    ['919812345678', 'IN', '91', '404', true, true],
    ['6591234567', 'SG', '65', '525', true, true],
    ['6561234567', 'SG', '65', '525', true, false],
  ];
  it.each(cases)('%s → %s +%s MCC %s valid=%s mobile=%s', (digits, iso, dialCode, mcc, valid, mobile) => {
    const r = plan.resolve(digits);
    expect(r?.country.iso).toBe(iso);
    expect(r?.country.dialCode).toBe(dialCode);
    expect(r?.country.mcc).toBe(mcc);
    expect(r?.mcc).toBe(r?.mnc === null ? mcc : r?.mcc);
    expect([r?.valid, r?.mobile]).toEqual([valid, mobile]);
  });

  it.each([
    ['14165550123', 'CA'],
    ['15062345678', 'CA'],
    ['12125550123', 'US'],
    ['447781123456', 'GG'],
    ['441481256789', 'GG'],
    ['447797123456', 'JE'],
    ['447624123456', 'IM'],
    ['447400123456', 'GB'],
    ['77012345678', 'KZ'],
    ['79161234567', 'RU'],
    ['17875550123', 'PR'],
    ['19395550123', 'PR'],
    ['12684641234', 'AG'],
    ['4779123456', 'SJ'],
    ['3581812345', 'AX'],
    ['3906698123456', 'VA'],
    ['262269612345', 'YT'],
  ])('shared calling code: %s → %s', (digits, iso) => {
    const r = plan.resolve(digits);
    expect(r?.country.iso).toBe(iso);
    expect(r?.valid).toBe(true);
    expect(r?.country.iso).toBe(parsePhoneNumberFromString(`+${digits}`)?.country);
  });

  it.each([
    ['45879921', 'DK'],
    ['6523478945', 'SG'],
    ['7554684221', 'RU'],
    ['50670503888225', 'CR'],
  ])('lenient: %s is not a valid number but resolves to %s', (digits, iso) => {
    const r = plan.resolve(digits);
    expect(r).toMatchObject({ valid: false, mobile: false });
    expect(r?.country.iso).toBe(iso);
    expect(isValidPhoneNumber(`+${digits}`)).toBe(false);
  });

  it('resolves invalid numbers of shared codes by the territory their prefix still fits, else the main one', () => {
    expect(plan.resolve('126846412345')?.country.iso).toBe('AG'); // too long, AG prefix
    expect(plan.resolve('1268')?.country.iso).toBe('AG'); // too short
    expect(plan.resolve('1999123456')?.country.iso).toBe('US'); // unassigned area code
    expect(plan.resolve('1')?.country.iso).toBe('US');
    expect(plan.resolve('4414812')?.country.iso).toBe('GG');
  });

  it('returns null only when no calling code matches', () => {
    for (const digits of ['', '0', '0123456789', '28123456', '999123456789', '37', '3712912345x', '+37129123456']) {
      expect([digits, plan.resolve(digits)]).toEqual([digits, null]);
    }
    expect(plan.resolve('371')?.country.iso).toBe('LV');
  });

  it('resolves non-geographic calling codes to their catalog entries', () => {
    expect(plan.resolve('80012345678')).toMatchObject({ country: { iso: '001-800', mcc: null }, valid: true });
    expect(plan.resolve('881612345678')).toMatchObject({ country: { iso: '001-881', mcc: '901' }, mobile: true });
  });
});

describe('resolve: operators', () => {
  it('takes MCC/MNC from the operator when the prefix data knows it', () => {
    const r = plan.resolve('37129123456');
    expect(r?.operator).toEqual(expect.any(String));
    expect(r?.mcc).toBe('247');
    expect(r?.mnc).toMatch(/^\d{2,3}$/);
  });

  it('falls back to the country MCC and no MNC when the operator is unknown', () => {
    // libphonenumber's carrier data has no prefixes for NANP numbers.
    expect(plan.resolve('12125550123')).toMatchObject({ operator: null, mcc: '310', mnc: null });
  });

  it('interns resolutions and keeps them frozen', () => {
    const a = plan.resolve('37129123456');
    expect(plan.resolve('37129123457')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(plan.resolve('4520123456')).toBe(plan.resolve('4520123456'));
  });

  it('asks the operator index with the resolved territory and combines its answer', () => {
    const mapped: OperatorMatch = { name: 'Mapped', mcc: '999', mnc: '42' };
    const nameOnly: OperatorMatch = { name: 'Name only', mcc: null, mnc: null };
    const asked: string[] = [];
    const stub = createNumberingPlan({
      plan: decodePlanTables(planFile),
      countries: plan.countries,
      operators: {
        lookup(digits, iso) {
          asked.push(`${digits}:${iso}`);
          return digits.startsWith('447781') ? mapped : digits.startsWith('45') ? nameOnly : null;
        },
      },
    });
    expect(stub.resolve('447781123456')).toMatchObject({
      country: { iso: 'GG' },
      operator: 'Mapped',
      mcc: '999',
      mnc: '42',
    });
    expect(stub.resolve('4520123456')).toMatchObject({ operator: 'Name only', mcc: '238', mnc: null });
    expect(stub.resolve('4520123456')).toBe(stub.resolve('4520123457'));
    stub.resolve('881612345678');
    expect(asked).toContain('447781123456:GG');
    expect(asked).toContain('881612345678:001');
  });
});

describe('resolve: against libphonenumber-js', () => {
  it('every territory resolves, valid, for its own example number (or to its main territory in shared ranges)', () => {
    const shared: string[] = [];
    for (const [iso, national] of Object.entries(examples)) {
      const dialCode = plan.countryByIso(iso)?.dialCode as string;
      const r = plan.resolve(dialCode + national);
      expect([iso, r?.valid, r?.country.dialCode]).toEqual([iso, true, dialCode]);
      expect([iso, r?.country.iso]).toEqual([iso, parsePhoneNumberFromString(`+${dialCode}${national}`)?.country]);
      if (r?.country.iso !== iso) shared.push(iso);
    }
    // Mobile ranges these territories share with the main one: neither libphonenumber nor we can tell them apart.
    expect(shared.sort()).toEqual(['AX', 'BL', 'CC', 'CX', 'EH', 'IM', 'MF', 'SJ', 'VA']);
  });

  it('agrees on country, validity and mobility over tens of thousands of generated numbers', () => {
    const rnd = random(2024);
    const digit = () => String(Math.floor(rnd() * 10));
    const numbers: string[] = [];
    const bases = [
      ...Object.entries(examples).map(([iso, national]) => `${plan.countryByIso(iso)?.dialCode}${national}`),
      ...Object.keys(metadata.nonGeographic ?? {}).map((code) => `${code}612345678`),
    ];
    for (const base of bases) {
      for (let i = 0; i < 120; i++) {
        const chars = base.split('');
        const cc = callingCodeOf(base)?.length ?? 1;
        const edits = Math.floor(rnd() * 4);
        for (let e = 0; e < edits; e++) chars[cc + Math.floor(rnd() * (chars.length - cc))] = digit();
        const r = rnd();
        if (r < 0.1) chars.push(digit());
        else if (r < 0.2) chars.pop();
        else if (r < 0.25) chars.splice(cc + 2); // keep only the leading digits
        numbers.push(chars.join(''));
      }
    }
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const length = 8 + Math.floor(rnd() * 8);
      for (let k = 0; k < length; k++) s += digit();
      numbers.push(s);
    }
    expect(numbers.length).toBeGreaterThan(30_000);

    let compared = 0;
    let nationalPrefixStripped = 0;
    for (const digits of numbers) {
      const r = plan.resolve(digits);
      const code = callingCodeOf(digits);
      if (code === undefined) {
        expect([digits, r]).toEqual([digits, null]);
        continue;
      }
      expect([digits, r?.country.dialCode]).toEqual([digits, code]);
      const parsed = parsePhoneNumberFromString(`+${digits}`);
      if (parsed && parsed.nationalNumber !== digits.slice(code.length)) {
        // libphonenumber-js dropped a national prefix ("44 0 20…") or rebuilt the number; we read digits as sent.
        nationalPrefixStripped++;
        continue;
      }
      const valid = isValidPhoneNumber(`+${digits}`);
      const type = valid ? parsed?.getType() : undefined;
      const mobile = type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
      const expectedIso = valid ? (parsed?.country ?? mainByCode.get(code)) : r?.country.iso;
      if (r?.valid !== valid || r?.mobile !== mobile || r?.country.iso !== expectedIso) {
        expect.fail(
          `${digits}: resolved ${r?.country.iso} valid=${r?.valid} mobile=${r?.mobile}, ` +
            `libphonenumber-js ${parsed?.country} valid=${valid} type=${type}`,
        );
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(30_000);
    expect(nationalPrefixStripped / numbers.length).toBeLessThan(0.01);
  });
});

describe('shipped tables', () => {
  it('are what compiling the installed libphonenumber-js metadata gives (else run npm run gen:numbering)', () => {
    const fresh = encodePlanTables(compilePlan(metadata), planFile.source);
    expect(fresh.stateCount).toBe(planFile.stateCount);
    expect(fresh.outcomes).toEqual(planFile.outcomes);
    expect(fresh.transitions === planFile.transitions && fresh.outputs === planFile.outputs).toBe(true);
    expect(planFile.source.libphonenumberJs).toBe(
      (requireFrom('libphonenumber-js/package.json') as { version: string }).version,
    );
  });
});
