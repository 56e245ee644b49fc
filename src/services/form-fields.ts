// Readers of a form's or query string's fields (the dashboard's and the operator's), each adding its error in the
// contract's words.
import { ruleText, type ValidationErrors } from '../domain/texts.js';
import { DASHBOARD_PER_PAGE_MAX } from '../store/campaigns.js';

export type Fields = Readonly<Record<string, unknown>>;

export const DASHBOARD_PER_PAGE_DEFAULT = 50;

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A text field: absent or blank is `required`'s error when required, undefined otherwise. */
export function textField(
  fields: Fields,
  name: string,
  errors: ValidationErrors,
  rules: { readonly required?: boolean; readonly max?: number } = {},
): string | undefined {
  const value = fields[name];
  if (isBlank(value)) {
    if (rules.required) errors.add(name, ruleText.required(name));
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(name, ruleText.string(name));
    return undefined;
  }
  if (rules.max !== undefined && value.length > rules.max) {
    errors.add(name, ruleText.maxChars(name, rules.max));
    return undefined;
  }
  return value;
}

/**
 * A whole number field (a number or digits; with `signed`, a minus sign too, for a field whose lower bound then gives
 * the error a client can act on); undefined when absent or blank.
 */
export function intField(
  fields: Fields,
  name: string,
  errors: ValidationErrors,
  options: { readonly signed?: boolean } = {},
): number | undefined {
  const value = fields[name];
  if (isBlank(value)) return undefined;
  const digits = options.signed ? /^\s*-?\d+\s*$/ : /^\s*\d+\s*$/;
  const n = typeof value === 'number' ? value : typeof value === 'string' && digits.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) {
    errors.add(name, ruleText.integer(name));
    return undefined;
  }
  return n;
}

/**
 * A yes/no field: JSON true/false, or in a form or query string 1/0, true/false, on/off (any case); undefined when
 * absent or blank.
 */
export function booleanField(fields: Fields, name: string, errors: ValidationErrors): boolean | undefined {
  const value = fields[name];
  if (isBlank(value)) return undefined;
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === '1' || text === 'true' || text === 'on') return true;
  if (text === '0' || text === 'false' || text === 'off') return false;
  errors.add(name, ruleText.boolean(name));
  return undefined;
}

export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
}

/** `page` and `per_page` of a listing (the dashboard's sizes unless `sizes` says otherwise), errors by field. */
export function pageField(
  fields: Fields,
  errors: ValidationErrors,
  sizes: { readonly perPageDefault: number; readonly perPageMax: number } = {
    perPageDefault: DASHBOARD_PER_PAGE_DEFAULT,
    perPageMax: DASHBOARD_PER_PAGE_MAX,
  },
): PageRequest {
  const page = intField(fields, 'page', errors, { signed: true }) ?? 1;
  const perPage = intField(fields, 'per_page', errors, { signed: true }) ?? sizes.perPageDefault;
  if (!errors.has('page') && page < 1) errors.add('page', ruleText.minNumber('page', 1));
  if (!errors.has('per_page') && perPage < 1) errors.add('per_page', ruleText.minNumber('per_page', 1));
  if (!errors.has('per_page') && perPage > sizes.perPageMax)
    errors.add('per_page', ruleText.maxNumber('per_page', sizes.perPageMax));
  return { page, perPage };
}

/** An optional field that must be one of `values`. */
export function oneOfField<T extends string>(
  fields: Fields,
  name: string,
  values: readonly T[],
  errors: ValidationErrors,
): T | undefined {
  const value = fields[name];
  if (isBlank(value)) return undefined;
  const found = values.find((v) => v === value);
  if (found === undefined) errors.add(name, ruleText.selectedInvalid(name));
  return found;
}

/** One page of a listing and the count of all that match. */
export interface PageOf<T> extends PageRequest {
  readonly rows: readonly T[];
  readonly total: number;
}

export function pageOf<T>(rows: readonly T[], page: PageRequest, total: number): PageOf<T> {
  return { rows, page: page.page, perPage: page.perPage, total };
}
