// The opt-out list as its owner keeps it in the dashboard: listed and searched, numbers added (typed or from a CSV
// file) and removed, each number's history, the whole list as CSV. The rules are those of services/suppressions.ts;
// every change is recorded with the source `dashboard` and the signed-in user's email.
import { PER_PAGE_MAX } from '../domain/limits.js';
import { normaliseRecipient } from '../domain/recipient-text.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import type { Actor, UseCaseContext } from './context.js';
import { type Fields, type PageOf, pageField, pageOf } from './form-fields.js';
import { invalid, notFound, type Outcome, ok } from './outcome.js';
import {
  phoneOf,
  readSuppressionCsv,
  readSuppressionSender,
  readTypedPhones,
  type Suppression,
  type SuppressionChange,
} from './suppressions.js';

export interface OptOutsAdded {
  /** Numbers put on the list by this request. */
  readonly added: number;
  /** Numbers of the request that were on it already (they keep their first source and time). */
  readonly already: number;
}

/** Changes of one number shown at most (newest first). */
const HISTORY_SHOWN_MAX = PER_PAGE_MAX;

/** The search box's text as a number prefix: digits once phone punctuation, "+" and "00" are dropped. */
export function searchPrefix(fields: Fields, errors: ValidationErrors): string {
  const value = fields.search;
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') {
    errors.add('search', ruleText.string('search'));
    return '';
  }
  if (text.trim() === '') return '';
  const prefix = normaliseRecipient(text);
  if (!/^\d{0,20}$/.test(prefix)) errors.add('search', ruleText.formatInvalid('search'));
  return prefix;
}

export function createOptOutServices({ api: { suppressions } }: UseCaseContext) {
  const actorName = (actor: Actor): string => actor.user.email;

  async function addAll(actor: Actor, phones: readonly string[], sender: string): Promise<Outcome<OptOutsAdded>> {
    const distinct = new Set(phones).size;
    const added = await suppressions.add(actor.account.id, phones, 'dashboard', actorName(actor), sender);
    return ok({ added: added.length, already: distinct - added.length });
  }

  return {
    async optOuts(actor: Actor, fields: Fields): Promise<Outcome<PageOf<Suppression>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const prefix = searchPrefix(fields, errors);
      if (!errors.empty) return invalid(errors);
      const accountId = actor.account.id;
      const [rows, total] = await Promise.all([
        suppressions.list(accountId, { ...page, prefix }),
        suppressions.count(accountId, prefix),
      ]);
      return ok(pageOf(rows, page, total));
    },

    /** `numbers`: the text of the form (one or several numbers, as Compose reads them). */
    async addOptOuts(actor: Actor, fields: Fields): Promise<Outcome<OptOutsAdded>> {
      const senderErrors = new ValidationErrors();
      const sender = readSuppressionSender(fields, senderErrors);
      const value = fields.numbers;
      if (value === undefined || value === null)
        return invalid(senderErrors.add('numbers', ruleText.required('numbers')));
      if (typeof value !== 'string') return invalid(senderErrors.add('numbers', ruleText.string('numbers')));
      const read = readTypedPhones(value);
      if (!read.ok) return invalid(read.errors);
      if (!senderErrors.empty) return invalid(senderErrors);
      return addAll(actor, read.phones, sender);
    },

    /** A CSV file's numbers, all or none. */
    async importOptOuts(actor: Actor, csv: string): Promise<Outcome<OptOutsAdded & { readonly rows: number }>> {
      const read = readSuppressionCsv(csv);
      if (!read.ok) return invalid(read.errors);
      const groups = await suppressions.addGroups(actor.account.id, read.groups, 'dashboard', actorName(actor));
      const distinct = read.groups.reduce((sum, group) => sum + new Set(group.phones).size, 0);
      const added = groups.reduce((sum, group) => sum + group.phones.length, 0);
      return ok({ added, already: distinct - added, rows: read.phones.length });
    },

    /** The number's entry of `sender` (blank or absent: the account-wide one). */
    async removeOptOut(actor: Actor, phoneText: string, fields: Fields = {}): Promise<Outcome<null>> {
      const phone = phoneOf(phoneText);
      if (phone === null) return notFound;
      const errors = new ValidationErrors();
      const sender = readSuppressionSender(fields, errors);
      if (!errors.empty) return invalid(errors);
      const removed = await suppressions.remove(actor.account.id, phone, 'dashboard', actorName(actor), sender);
      return removed ? ok(null) : notFound;
    },

    /** The number's changes, newest first; 404 for a number this account never had on its list. */
    async optOutHistory(actor: Actor, phoneText: string): Promise<Outcome<SuppressionChange[]>> {
      const phone = phoneOf(phoneText);
      if (phone === null) return notFound;
      const changes = await suppressions.history(actor.account.id, phone, { page: 1, perPage: HISTORY_SHOWN_MAX });
      return changes.length === 0 ? notFound : ok(changes);
    },

    /** The whole list, in number order, a batch at a time. */
    allOptOuts(actor: Actor): AsyncIterable<readonly Suppression[]> {
      return suppressions.all(actor.account.id);
    },
  };
}
