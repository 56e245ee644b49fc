// Amounts as people type them into a form: a decimal comma or point, thousands grouped by spaces or by the other
// mark. Every form field for money reads its text here, in the browser as on the server, so both agree to the digit.
import { DECIMALS, MoneyError, parseMoney } from './money.js';
import { moneyInputText } from './texts.js';

export type MoneyInput =
  | { readonly ok: true; readonly minor: number }
  | { readonly ok: false; readonly message: string };

/** Spaces people and locales put between thousands: space, no-break space, narrow no-break space, thin space. */
const SPACES = /[ \u00a0\u202f\u2009]/g;
const SHAPE = /^([+-]?)(\d[\d., ]*)$/;

/** The whole part without its thousands separators (one kind, groups of three), or null when it is not that. */
function ungrouped(whole: string, decimal: string | null): string | null {
  if (/^\d+$/.test(whole)) return whole;
  const separators = new Set(whole.replace(/\d/g, ''));
  const [separator] = separators;
  if (separators.size !== 1 || separator === undefined || separator === decimal) return null;
  const groups = whole.split(separator);
  const [first = '', ...rest] = groups;
  return /^\d{1,3}$/.test(first) && rest.every((group) => /^\d{3}$/.test(group)) ? groups.join('') : null;
}

/** Which mark separates the decimals: the later of a comma and a point, or a lone one; null when none does. */
function decimalMark(body: string): ',' | '.' | null {
  const commas = body.split(',').length - 1;
  const points = body.split('.').length - 1;
  if (commas > 0 && points > 0) return body.lastIndexOf(',') > body.lastIndexOf('.') ? ',' : '.';
  if (commas === 1) return ',';
  if (points === 1) return '.';
  return null;
}

/**
 * Reads "12,50", "12.50", "1 234,50", "1.234,50", "1,234.50", "-3": the decimal mark is the later of a comma and a
 * point, or a lone one; spaces or the other mark may group thousands, in threes. Refused, with a sentence saying why:
 * anything else, a lone comma after a whole part that could be a first group and before exactly three digits
 * ("1,234": thousands or decimals?), more than four
 * decimals, an amount out of range. A lone point is always the decimal mark, as the API writes amounts.
 */
export function parseMoneyInput(text: string): MoneyInput {
  const shown = text.trim();
  const shape = SHAPE.exec(shown.replace(SPACES, ' ').replace(/^\u2212/, '-'));
  if (!shape) return { ok: false, message: moneyInputText.notAnAmount(shown) };
  const [, sign = '', body = ''] = shape;
  const decimal = decimalMark(body);
  if (decimal === ',' && /^[1-9]\d{0,2},\d{3}$/.test(body)) {
    return { ok: false, message: moneyInputText.ambiguous(shown, body.replace(',', ''), body.replace(',', '.')) };
  }
  const cut = decimal === null ? body.length : body.lastIndexOf(decimal);
  const fraction = decimal === null ? '' : body.slice(cut + 1);
  const whole = ungrouped(body.slice(0, cut), decimal);
  if (whole === null || (decimal !== null && !/^\d+$/.test(fraction))) {
    return { ok: false, message: moneyInputText.notAnAmount(shown) };
  }
  try {
    return { ok: true, minor: parseMoney(`${sign}${whole}${fraction ? `.${fraction}` : ''}`) };
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    if (error.code === 'precision') return { ok: false, message: moneyInputText.tooManyDecimals(shown, DECIMALS) };
    if (error.code === 'overflow') return { ok: false, message: moneyInputText.tooLarge(shown) };
    return { ok: false, message: moneyInputText.notAnAmount(shown) };
  }
}
