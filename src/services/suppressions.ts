// The opt-out list as the API, the dashboard and the operator use it: read the numbers given, change the list, read it.
import { SUPPRESSIONS_PER_REQUEST_MAX } from '../domain/limits.js';
import type { SuppressionSource } from '../domain/opt-out.js';
import { recipientDigits } from '../domain/pricing.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import type { Db } from '../store/db.js';
import {
  addSuppressions,
  findSuppression,
  listSuppressions,
  removeSuppression,
  type Suppression,
} from '../store/suppressions.js';

export type { Suppression } from '../store/suppressions.js';

export type PhoneList =
  | { readonly ok: true; readonly phones: string[] }
  | { readonly ok: false; readonly errors: ValidationErrors };

/**
 * A list of numbers to suppress (`phone_numbers`): 1 to SUPPRESSIONS_PER_REQUEST_MAX numbers, each 8 to 20 digits as
 * text or an exact JSON number, as recipients are; every malformed one named by its index.
 */
export function readPhoneList(fields: Readonly<Record<string, unknown>>, name = 'phone_numbers'): PhoneList {
  const errors = new ValidationErrors();
  const value = fields[name];
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return { ok: false, errors: errors.add(name, ruleText.required(name)) };
  }
  if (!Array.isArray(value)) return { ok: false, errors: errors.add(name, ruleText.array(name)) };
  if (value.length > SUPPRESSIONS_PER_REQUEST_MAX) {
    return { ok: false, errors: errors.add(name, ruleText.maxItems(name, SUPPRESSIONS_PER_REQUEST_MAX)) };
  }
  const phones: string[] = [];
  value.forEach((item, i) => {
    const digits = recipientDigits(item);
    if (digits === null) errors.add(`${name}.${i}`, ruleText.formatInvalid(`${name}.${i}`));
    else phones.push(digits);
  });
  return errors.empty ? { ok: true, phones } : { ok: false, errors };
}

/** A number as a path or a command line names it: its digits, or null when it is not 8 to 20 digits. */
export function phoneOf(text: string): string | null {
  return recipientDigits(text);
}

export interface SuppressionServices {
  list(accountId: number, page: { page: number; perPage: number; prefix?: string }): Promise<Suppression[]>;
  /** The numbers newly put on the list (those already on it keep their first source). */
  add(
    accountId: number,
    phones: readonly string[],
    source: SuppressionSource,
    actor?: string | null,
  ): Promise<string[]>;
  find(accountId: number, phone: string): Promise<Suppression | undefined>;
  /** False when the number was not on the list. */
  remove(accountId: number, phone: string, source: SuppressionSource, actor?: string | null): Promise<boolean>;
}

export function createSuppressionServices(db: Db): SuppressionServices {
  return {
    list: (accountId, page) => listSuppressions(db, accountId, page),
    add: (accountId, phones, source, actor = null) => addSuppressions(db, accountId, phones, { source, actor }),
    find: (accountId, phone) => findSuppression(db, accountId, phone),
    remove: (accountId, phone, source, actor = null) => removeSuppression(db, accountId, phone, { source, actor }),
  };
}
