// An account's sender names (requested, then reviewed by the operator) and the prices it sends at.
import { senderNameProblem } from '../domain/sender-name.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import type { Db } from '../store/db.js';
import { listAccountSenders, requestSender } from '../store/sender-reviews.js';
import { addSender, type Sender } from '../store/senders.js';
import type { Actor, UseCaseContext } from './context.js';
import { type Fields, textField } from './form-fields.js';
import { invalid, invalidOne, type Outcome, ok } from './outcome.js';
import type { RateFilters, RateView } from './ports.js';

export type ApprovedSender =
  | { readonly ok: true; readonly sender: Sender }
  /** The name breaks the sender-name rule (`senderNameProblem`); nothing was added. */
  | { readonly ok: false; readonly problem: string };

/**
 * The operator adds a sender name, approved at once, to an account or (`accountId` null) to every account as a
 * platform-wide default: the name obeys the same rule as a customer's request. A name the owner already has keeps its
 * id and becomes approved.
 */
export async function addApprovedSender(db: Db, accountId: number | null, name: string): Promise<ApprovedSender> {
  const problem = senderNameProblem(name);
  if (problem) return { ok: false, problem };
  return { ok: true, sender: await addSender(db, accountId, name, 'approved') };
}

export function createSenderServices({ deps: { db }, api }: UseCaseContext) {
  return {
    /** Whether the country catalog has this id (the rate filters' `country_id`). */
    countryExists: (countryId: number) => api.countryExists(countryId),

    senders(actor: Actor): Promise<readonly Sender[]> {
      return listAccountSenders(db, actor.account.id);
    },

    async requestSender(actor: Actor, fields: Fields): Promise<Outcome<Sender>> {
      const errors = new ValidationErrors();
      const name = textField(fields, 'name', errors, { required: true });
      if (name !== undefined) {
        const problem = senderNameProblem(name);
        if (problem) errors.add('name', ruleText.senderName('name', problem));
      }
      if (!errors.empty || name === undefined) return invalid(errors);
      const result = await requestSender(db, actor.account.id, name);
      return result.ok ? ok(result.sender) : invalidOne('name', ruleText.taken('name'));
    },

    rates(actor: Actor, filters: RateFilters): Promise<readonly RateView[]> {
      return api.listRates(actor.account.id, filters);
    },
  };
}
