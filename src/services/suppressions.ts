// The opt-out list as the API, the dashboard and the operator use it: read the numbers given, change the list, read it.
import {
  SUPPRESSION_IMPORT_ERRORS_LISTED,
  SUPPRESSION_IMPORT_MAX,
  SUPPRESSIONS_PER_REQUEST_MAX,
} from '../domain/limits.js';
import {
  isSuppressionSender,
  SUPPRESSION_SENDER_CHARS_MAX,
  type SuppressionSource,
  suppressionSenderKey,
} from '../domain/opt-out.js';
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
  addSuppressionGroups,
  addSuppressions,
  allSuppressions,
  countSuppressions,
  findSuppression,
  listSuppressions,
  removeSuppression,
  type Suppression,
  type SuppressionChange,
  type SuppressionGroup,
  suppressionHistory,
} from '../store/suppressions.js';

export type { Suppression, SuppressionChange, SuppressionGroup } from '../store/suppressions.js';

/**
 * The optional `sender` of an entry (a sender name or a number, "+" dropped), as the API, the dashboard and the CLI
 * take it: '' (every sending of the account) when absent, null or blank; a malformed one added to `errors`.
 */
export function readSuppressionSender(
  fields: Readonly<Record<string, unknown>>,
  errors: ValidationErrors,
  name = 'sender',
): string {
  const value = fields[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    errors.add(name, ruleText.string(name));
    return '';
  }
  const key = suppressionSenderKey(value);
  if (key === '') return '';
  if (!isSuppressionSender(key)) errors.add(name, optOutText.senderFormat(SUPPRESSION_SENDER_CHARS_MAX));
  return key;
}

/** A CSV file's entries: its numbers, and the sender of each ('' for the account-wide ones), grouped by sender. */
export type SuppressionCsv =
  | { readonly ok: true; readonly phones: string[]; readonly groups: SuppressionGroup[] }
  | { readonly ok: false; readonly errors: ValidationErrors };

/** The first column of a header row with one of `names` (any case, quotes dropped), or -1. */
function headerColumn(header: string | undefined, delimiter: string, names: readonly string[]): number {
  if (header === undefined || delimiter === '') return -1;
  const cells = header.split(delimiter).map((cell) => cell.trim().replace(/^"|"$/g, '').toLowerCase());
  return cells.findIndex((cell) => names.includes(cell));
}

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

/** The numbers' column of a file with a sender column: the one its header names so, else the first other one. */
function phoneColumnBeside(header: string | undefined, delimiter: string, senderAt: number): number {
  const named = headerColumn(header, delimiter, ['phone', 'phone_number', 'number']);
  return named >= 0 ? named : senderAt === 0 ? 1 : 0;
}

/**
 * The numbers of a CSV file for the opt-out list, read as Compose reads an uploaded file (the column of numbers, a
 * header row skipped, each cell normalised). A header row naming a `sender` column (as the export writes it) gives
 * each row's sender: blank for an account-wide entry. All or nothing: any row that is not a number (or whose sender
 * is malformed) refuses the whole file, the first SUPPRESSION_IMPORT_ERRORS_LISTED of them named by their line in the
 * file; blank lines are skipped.
 */
export function readSuppressionCsv(text: string, name = 'csv'): SuppressionCsv {
  const errors = new ValidationErrors();
  const lines = recipientCsvLines(text);
  const layout = recipientCsvLayout(lines);
  const { delimiter, header } = layout;
  const headerLine = header === null ? undefined : lines.find((line) => line.trim() !== '');
  const senderAt = headerColumn(headerLine, delimiter, ['sender']);
  // Senders that are numbers must not be taken for the numbers: those are then the column the header names so.
  const column =
    senderAt >= 0 && layout.column === senderAt ? phoneColumnBeside(headerLine, delimiter, senderAt) : layout.column;
  const phones: string[] = [];
  const byGroup = new Map<string, string[]>();
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
    const senderCell = senderAt >= 0 ? recipientCsvCell(line, delimiter, senderAt) : '';
    const sender = suppressionSenderKey(senderCell);
    if (isRecipientNumber(number) && (sender === '' || isSuppressionSender(sender))) {
      phones.push(number);
      const group = byGroup.get(sender);
      if (group === undefined) byGroup.set(sender, [number]);
      else group.push(number);
      continue;
    }
    bad++;
    if (bad > SUPPRESSION_IMPORT_ERRORS_LISTED) continue;
    if (isRecipientNumber(number)) errors.add(name, optOutText.csvBadSender(i + 1, senderCell.trim()));
    else errors.add(name, optOutText.csvNotANumber(i + 1, cell.trim()));
  }
  if (bad > SUPPRESSION_IMPORT_ERRORS_LISTED) {
    errors.add(name, optOutText.csvMoreBadRows(bad - SUPPRESSION_IMPORT_ERRORS_LISTED));
  } else if (bad > 0) errors.add(name, optOutText.csvNothingImported);
  if (bad === 0 && phones.length === 0) errors.add(name, optOutText.csvEmpty);
  if (phones.length > SUPPRESSION_IMPORT_MAX) errors.add(name, optOutText.csvTooMany(SUPPRESSION_IMPORT_MAX));
  const groups = [...byGroup].map(([sender, numbers]) => ({ sender, phones: numbers }));
  return errors.empty ? { ok: true, phones, groups } : { ok: false, errors };
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
  /**
   * The numbers newly put on the list (those already on it keep their first source), for sendings from `sender`
   * only, or for every sending ('', the default).
   */
  add(
    accountId: number,
    phones: readonly string[],
    source: SuppressionSource,
    actor?: string | null,
    sender?: string,
  ): Promise<string[]>;
  /** Several senders' numbers at once, all or none; for each group, the numbers it added. */
  addGroups(
    accountId: number,
    groups: readonly SuppressionGroup[],
    source: SuppressionSource,
    actor?: string | null,
  ): Promise<SuppressionGroup[]>;
  /** The number's entry for `sender` ('' the account-wide one); undefined: the account-wide one, else its first. */
  find(accountId: number, phone: string, sender?: string): Promise<Suppression | undefined>;
  /**
   * Takes the number's entry for `sender` away, or every entry of the number when `sender` is undefined; false when
   * there was none.
   */
  remove(
    accountId: number,
    phone: string,
    source: SuppressionSource,
    actor?: string | null,
    sender?: string,
  ): Promise<boolean>;
}

export function createSuppressionServices(db: Db): SuppressionServices {
  return {
    list: (accountId, page) => listSuppressions(db, accountId, page),
    count: (accountId, prefix) => countSuppressions(db, accountId, prefix),
    all: (accountId) => allSuppressions(db, accountId),
    history: (accountId, phone, page) => suppressionHistory(db, accountId, { ...page, phone }),
    add: (accountId, phones, source, actor = null, sender = '') =>
      addSuppressions(db, accountId, phones, { source, actor }, sender),
    addGroups: (accountId, groups, source, actor = null) =>
      addSuppressionGroups(db, accountId, groups, { source, actor }),
    find: (accountId, phone, sender) => findSuppression(db, accountId, phone, sender),
    remove: (accountId, phone, source, actor = null, sender) =>
      removeSuppression(db, accountId, phone, { source, actor }, sender),
  };
}
