import { describe, expect, it } from 'vitest';
import {
  addMoney,
  currencyOf,
  formatBalance,
  formatMinor,
  MoneyError,
  minorFrom,
  multiplyMoney,
  parseMoney,
  parsePercentPpm,
  taxOf,
  toJsonNumber,
  toNumber,
} from './money.js';

describe('parseMoney', () => {
  it.each([
    ['0.4397', 4397],
    ['450', 4_500_000],
    ['450.000', 4_500_000],
    ['0.45', 4500],
    ['1.35', 13_500],
    ['-12.5', -125_000],
    ['+3', 30_000],
    ['007.0100', 70_100],
    ['0.12340000', 1234],
    [' 2.5 ', 25_000],
  ])('reads %s exactly', (text, minor) => {
    expect(parseMoney(text)).toBe(minor);
  });

  it('keeps decimals no float could hold (0.1 + 0.2)', () => {
    expect(addMoney(parseMoney('0.1'), parseMoney('0.2'))).toBe(parseMoney('0.3'));
  });

  it.each(['', 'abc', '1,5', '1.2.3', '.5', '5.', '1e3', 'NaN', 'Infinity', '0x10', '--1', '١٢'])(
    'refuses the malformed amount %j',
    (text) => {
      expect(() => parseMoney(text)).toThrow(expect.objectContaining({ code: 'format' }));
    },
  );

  it('refuses a fifth significant decimal instead of rounding it away', () => {
    expect(() => parseMoney('0.43975')).toThrow(expect.objectContaining({ code: 'precision' }));
  });

  it('refuses amounts beyond exact range', () => {
    expect(() => parseMoney('1000000000000')).toThrow(expect.objectContaining({ code: 'overflow' }));
    expect(() => parseMoney('123456789012345678901234567890')).toThrow(expect.objectContaining({ code: 'overflow' }));
    expect(() => parseMoney('999999999999.9999')).toThrow(expect.objectContaining({ code: 'overflow' }));
    expect(parseMoney('900000000000')).toBe(9_000_000_000_000_000);
  });
});

describe('arithmetic', () => {
  it('multiplies a rate by a count of parts exactly', () => {
    expect(multiplyMoney(4397, 3)).toBe(13_191);
    expect(multiplyMoney(4500, 1_000_000)).toBe(4_500_000_000);
  });

  it('refuses overflow rather than losing precision', () => {
    expect(() => multiplyMoney(Number.MAX_SAFE_INTEGER, 2)).toThrow(expect.objectContaining({ code: 'overflow' }));
    expect(() => addMoney(Number.MAX_SAFE_INTEGER, 1)).toThrow(MoneyError);
    expect(() => multiplyMoney(10, 1.5)).toThrow(MoneyError);
  });

  it('reads database integers, bigints and integer strings', () => {
    expect(minorFrom('4500000')).toBe(4_500_000);
    expect(minorFrom(42n)).toBe(42);
    expect(minorFrom(-7)).toBe(-7);
    expect(() => minorFrom('12.5')).toThrow(MoneyError);
    expect(() => minorFrom(1.5)).toThrow(MoneyError);
    expect(() => minorFrom('99999999999999999999')).toThrow(expect.objectContaining({ code: 'overflow' }));
  });
});

describe('tax', () => {
  it.each([
    // subtotal, rate, tax
    ['1.35', '0', 0],
    ['1.35', '20', 2700],
    ['0.0001', '50', 1], // 0.00005 rounds half up to 0.0001
    ['0.0001', '49.9999', 0],
    ['0.0003', '50', 2], // 0.00015 → 0.0002
    ['10.0000', '7.125', 7125],
    ['0.4397', '21', 923], // 0.092337 → 0.0923
    ['0.4397', '25', 1099], // 0.109925 → 0.1099
    ['0.0002', '25', 1], // 0.00005 → 0.0001, half-up not half-even
  ])('tax on %s at %s%% is %i minor units', (subtotal, rate, tax) => {
    expect(taxOf(parseMoney(subtotal), parsePercentPpm(rate))).toBe(tax);
  });

  it('rounds half away from zero for negative amounts (a refund of tax)', () => {
    expect(taxOf(-1, 500_000)).toBe(-1);
  });

  it('refuses percentages outside 0..100', () => {
    expect(() => parsePercentPpm('100.0001')).toThrow(MoneyError);
    expect(() => parsePercentPpm('-1')).toThrow(MoneyError);
    expect(parsePercentPpm('100')).toBe(1_000_000);
  });

  it('does not overflow on large subtotals', () => {
    expect(taxOf(9_000_000_000_000_000, 1_000_000)).toBe(9_000_000_000_000_000);
  });
});

describe('formatting', () => {
  it.each([
    [4_500_000, '450.000'],
    [4_491_206, '449.120'],
    [4_491_209, '449.120'],
    [9, '0.000'],
    [0, '0.000'],
    [-4_491_209, '-449.120'],
    [-9, '0.000'],
  ])('shows balance %i as %s, truncated', (minor, text) => {
    expect(formatBalance(minor)).toBe(text);
  });

  it.each([
    [4500, '0.45'],
    [13_500, '1.35'],
    [0, '0'],
    [10_000, '1'],
    [4397, '0.4397'],
    [1, '0.0001'],
    [-125_000, '-12.5'],
    [9_000_000_000_000_000, '900000000000'],
  ])('writes %i as the JSON number %s', (minor, token) => {
    expect(toJsonNumber(minor)).toBe(token);
    expect(JSON.parse(token)).toBe(minor / 10_000);
  });

  it('prints the exact decimal of amounts through JSON.stringify below 10^11 units', () => {
    for (const minor of [4397, 1, 9999, 123_456_789, 999_999_999_999_999, 100_000_000_000_001]) {
      expect(JSON.stringify(toNumber(minor))).toBe(toJsonNumber(minor));
    }
    expect(() => toNumber(1e15)).toThrow(MoneyError);
  });

  it('writes all four decimals', () => {
    expect(formatMinor(4_491_206)).toBe('449.1206');
    expect(formatMinor(-5)).toBe('-0.0005');
  });
});

describe('currencies', () => {
  it.each([
    ['GBP', '£'],
    ['EUR', '€'],
    ['USD', '$'],
  ])('%s has the sign %s', (code, sign) => {
    expect(currencyOf(code)?.sign).toBe(sign);
  });

  it('knows no made-up or inherited codes', () => {
    expect(currencyOf('XYZ')).toBeUndefined();
    expect(currencyOf('toString')).toBeUndefined();
  });
});
