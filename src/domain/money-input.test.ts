import { describe, expect, it } from 'vitest';
import { parseMoney } from './money.js';
import { parseMoneyInput } from './money-input.js';

describe('parseMoneyInput', () => {
  it.each([
    ['12,50', 125_000],
    ['12.50', 125_000],
    ['1 234,50', 12_345_000],
    ['1\u00a0234,50', 12_345_000],
    ['1\u202f234,50', 12_345_000],
    ['1.234,50', 12_345_000],
    ['1,234.50', 12_345_000],
    ['1,234,567', 12_345_670_000],
    ['1.234.567,8', 12_345_678_000],
    ['1 234', 12_340_000],
    ['1.234', 12_340],
    ['0,125', 1250],
    ['1 000,234', 10_002_340],
    ['-0,5', -5000],
    ['\u22122,25', -22_500],
    ['+3', 30_000],
    [' 25 ', 250_000],
    ['0,0452', 452],
  ])('reads %j as %d minor units', (text, minor) => {
    expect(parseMoneyInput(text)).toEqual({ ok: true, minor });
  });

  it('reads every amount the API writes as parseMoney does', () => {
    for (const text of ['0.4397', '450', '450.000', '-12.5', '007.0100', '0.12340000', '900000000000']) {
      expect(parseMoneyInput(text)).toEqual({ ok: true, minor: parseMoney(text) });
    }
  });

  it('refuses a lone comma before three digits: thousands or decimals?', () => {
    expect(parseMoneyInput('1,234')).toEqual({
      ok: false,
      message: '“1,234” is ambiguous: write 1234 if the comma separates thousands, or 1.234 if it marks decimals.',
    });
    expect(parseMoneyInput('12,500').ok).toBe(false);
  });

  it.each([
    'ten',
    '',
    '12,',
    ',50',
    '.5',
    '1,2,3',
    '12 34,50',
    '1,23,456',
    '1 234.567,8',
    '1.234.5',
    '12€',
    '1e3',
    '--1',
  ])('refuses %j, saying how to write an amount', (text) => {
    expect(parseMoneyInput(text)).toEqual({
      ok: false,
      message: `“${text.trim()}” is not an amount: write digits with a decimal comma or point, such as 12,50 or 12.50.`,
    });
  });

  it('refuses more than four decimals and amounts out of range', () => {
    expect(parseMoneyInput('1,00001')).toEqual({ ok: false, message: '“1,00001” has more than 4 decimals.' });
    expect(parseMoneyInput('1 000 000 000 000')).toEqual({ ok: false, message: '“1 000 000 000 000” is too large.' });
  });
});
