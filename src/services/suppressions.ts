// The opt-out list as the API, the dashboard and the operator use it: read the numbers given, change the list, read it.
import {
  SUPPRESSION_IMPORT_ERRORS_LISTED,
  SUPPRESSION_IMPORT_MAX,
  SUPPRESSIONS_PER_REQUEST_MAX,
} from '../domain/limits.js';
import type { SuppressionSource } from '../domain/opt-out.js';
import { recipientDigits } from '../domain/pricing.js';
import {
  isRecipientNumber,
  normaliseRecipient,
  recipientCsvCell,
  recipientCsvLayout,
  recipientCsvLines,
  splitRecipientText,
} from '../domain/recipient-text.js';
import { optOutText, ruleText, ValidationErrors } from '../domain/texts.js';
import type { Db } from '../store/db.js';
import {
  addSuppressions,
  allSuppressions,
  countSuppressions,
  findSuppression,
  listSuppressions,
  removeSuppression,
  type Suppression,
  type SuppressionChange,
  suppressionHistory,
} from '../store/suppressions.js';

export type { Suppression, SuppressionChange } from '../store/suppressions.js';

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

/**
 * Numbers as a person types or pastes them (one a line, or separated by commas, spaces…; "+44 20 7946 0958" and
 * "0044…" read as Compose reads them): at most SUPPRESSIONS_PER_REQUEST_MAX, every one that is not a number named.
 */
export function readTypedPhones(text: string, name = 'numbers'): PhoneList {
  const errors = new ValidationErrors();
  const numbers = splitRecipientText(text);
  if (numbers.length === 0) return { ok: false, errors: errors.add(name, ruleText.required(name)) };
  if (numbers.length > SUPPRESSIONS_PER_REQUEST_MAX) {
    return { ok: false, errors: errors.add(name, optOutText.tooManyNumbers(SUPPRESSIONS_PER_REQUEST_MAX)) };
  }
  for (const number of numbers) if (!isRecipientNumber(number)) errors.add(name, optOutText.notANumber(number));
  return errors.empty ? { ok: true, phones: numbers } : { ok: false, errors };
}

/**
 * The numbers of a CSV file for the opt-out list, read as Compose reads an uploaded file (the column of numbers, a
 * header row skipped, each cell normalised). All or nothing: any row that is not a number refuses the whole file,
 * the first SUPPRESSION_IMPORT_ERRORS_LISTED of them named by their line in the file; blank lines are skipped.
 */
export function readSuppressionCsv(text: string, name = 'csv'): PhoneList {
  const errors = new ValidationErrors();
  const lines = recipientCsvLines(text);
  const { delimiter, column, header } = recipientCsvLayout(lines);
  const phones: string[] = [];
  let bad = 0;
  let headerSkipped = header === null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    if (!headerSkipped) {
      headerSkipped = true;
      continue;
    }
    const cell = recipientCsvCell(line, delimiter, column);
    const number = normaliseRecipient(cell);
    if (isRecipientNumber(number)) {
      phones.push(number);
      continue;
    }
    bad++;
    if (bad <= SUPPRESSION_IMPORT_ERRORS_LISTED) errors.add(name, optOutText.csvNotANumber(i + 1, cell.trim()));
  }
  if (bad > SUPPRESSION_IMPORT_ERRORS_LISTED) {
    errors.add(name, optOutText.csvMoreBadRows(bad - SUPPRESSION_IMPORT_ERRORS_LISTED));
  } else if (bad > 0) errors.add(name, optOutText.csvNothingImported);
  if (bad === 0 && phones.length === 0) errors.add(name, optOutText.csvEmpty);
  if (phones.length > SUPPRESSION_IMPORT_MAX) errors.add(name, optOutText.csvTooMany(SUPPRESSION_IMPORT_MAX));
  return errors.empty ? { ok: true, phones } : { ok: false, errors };
}

/** A number as a path or a command line names it: its digits, or null when it is not 8 to 20 digits. */
export function phoneOf(text: string): string | null {
  return recipientDigits(text);
}

export interface SuppressionServices {
  list(accountId: number, page: { page: number; perPage: number; prefix?: string }): Promise<Suppression[]>;
  /** How many numbers the list holds (those starting with `prefix` when given). */
  count(accountId: number, prefix?: string): Promise<number>;
  /** The whole list in number order, a batch at a time. */
  all(accountId: number): AsyncIterable<readonly Suppression[]>;
  /** The changes of one number, newest first. */
  history(accountId: number, phone: string, page: { page: number; perPage: number }): Promise<SuppressionChange[]>;
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
    count: (accountId, prefix) => countSuppressions(db, accountId, prefix),
    all: (accountId) => allSuppressions(db, accountId),
    history: (accountId, phone, page) => suppressionHistory(db, accountId, { ...page, phone }),
    add: (accountId, phones, source, actor = null) => addSuppressions(db, accountId, phones, { source, actor }),
    find: (accountId, phone) => findSuppression(db, accountId, phone),
    remove: (accountId, phone, source, actor = null) => removeSuppression(db, accountId, phone, { source, actor }),
  };
}
