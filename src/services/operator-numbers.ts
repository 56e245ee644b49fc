// The operator's numbers on the dashboard: the same assignments as `smsgic numbers`, with every refusal as a value.
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { getAccount } from '../store/accounts.js';
import type { UseCaseContext } from './context.js';
import { type AssignedNumber, createNumberServices, isKeyword, receivingNumberOf } from './numbers.js';
import { conflict, invalid, invalidOne, type Outcome, ok } from './outcome.js';

/** An assigned number with the name of the account that has it. */
export interface OperatorNumber extends AssignedNumber {
  readonly accountName: string;
}

type Fields = Readonly<Record<string, unknown>>;

/** `number` and `keyword` (optional: empty or absent means the whole number) as written, or the errors under them. */
function readNumberFields(
  fields: Fields,
  errors: ValidationErrors,
): { readonly number: string | null; readonly keyword: string | null } {
  const given = fields.number;
  let number: string | null = null;
  if (given === undefined || given === null || (typeof given === 'string' && given.trim() === '')) {
    errors.add('number', ruleText.required('number'));
  } else {
    number = typeof given === 'string' ? receivingNumberOf(given) : null;
    if (number === null) errors.add('number', ruleText.receivingNumber('number'));
  }
  const word = fields.keyword;
  if (word === undefined || word === null || (typeof word === 'string' && word.trim() === '')) {
    return { number, keyword: null };
  }
  if (typeof word !== 'string' || !isKeyword(word.trim())) {
    errors.add('keyword', ruleText.numberKeyword('keyword'));
    return { number, keyword: null };
  }
  return { number, keyword: word.trim().toUpperCase() };
}

function accountIdOf(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^\d{1,15}$/.test(text) && Number(text) > 0 ? Number(text) : null;
}

const named = (number: string, keyword: string | null) => `${number}${keyword === null ? '' : ` keyword ${keyword}`}`;

export function createOperatorNumberServices({ deps: { db } }: UseCaseContext) {
  const numbers = createNumberServices(db);
  const withNames = async (list: readonly AssignedNumber[]): Promise<OperatorNumber[]> => {
    const names = new Map<number, string>();
    for (const id of new Set(list.map((n) => n.accountId))) names.set(id, (await getAccount(db, id))?.name ?? '');
    return list.map((n) => ({ ...n, accountName: names.get(n.accountId) ?? '' }));
  };
  return {
    /** Every assigned number, or the account's (`account_id`); an unknown account is a 422 under `account_id`. */
    async list(fields: Fields): Promise<Outcome<OperatorNumber[]>> {
      const given = fields.account_id;
      if (given === undefined || given === '') return ok(await withNames(await numbers.list()));
      const accountId = accountIdOf(given);
      if (accountId === null || !(await getAccount(db, accountId))) {
        return invalidOne('account_id', ruleText.selectedInvalid('account_id'));
      }
      return ok(await withNames(await numbers.list(accountId)));
    },

    /** Gives `number` (or its `keyword`) to `account_id`; 409 when another account has it. */
    async assign(fields: Fields): Promise<Outcome<{ number: OperatorNumber; created: boolean }>> {
      const errors = new ValidationErrors();
      const { number, keyword } = readNumberFields(fields, errors);
      const accountId = accountIdOf(fields.account_id);
      const account = accountId === null ? undefined : await getAccount(db, accountId);
      if (fields.account_id === undefined || fields.account_id === null || fields.account_id === '') {
        errors.add('account_id', ruleText.required('account_id'));
      } else if (!account) {
        errors.add('account_id', ruleText.selectedInvalid('account_id'));
      }
      if (!errors.empty || number === null || !account) return invalid(errors);
      const result = await numbers.assign(account.id, number, keyword);
      if (!result.ok) return conflict(ruleText.numberTaken(named(number, keyword), result.ownerAccountId));
      return ok({ number: { ...result.number, accountName: account.name }, created: result.created });
    },

    /** Takes `number` (or its `keyword`) back; a 422 under `number` when nobody has it. */
    async unassign(fields: Fields): Promise<Outcome<OperatorNumber>> {
      const errors = new ValidationErrors();
      const { number, keyword } = readNumberFields(fields, errors);
      if (!errors.empty || number === null) return invalid(errors);
      const removed = await numbers.unassign(number, keyword);
      if (removed === null) return invalidOne('number', ruleText.numberNotAssigned(named(number, keyword)));
      return ok((await withNames([removed]))[0] as OperatorNumber);
    },
  };
}
