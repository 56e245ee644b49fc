// An account's sender names (requested, then reviewed by the operator) and the prices it sends at.
import type { RateView, SenderView } from '../dashboard/contract.js';
import { senderNameProblem } from '../domain/sender-name.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import type { RateFilters } from '../http/ports.js';
import { listAccountSenders, requestSender } from '../store/sender-reviews.js';
import type { Actor, UseCaseContext } from './context.js';
import { amountText, senderView } from './dashboard-views.js';
import { type Fields, textField } from './form-fields.js';
import { invalid, invalidOne, type Outcome, ok } from './outcome.js';

export function createSenderServices({ deps: { db }, api }: UseCaseContext) {
  return {
    /** Whether the country catalog has this id (the rate filters' `country_id`). */
    countryExists: (countryId: number) => api.countryExists(countryId),

    async senders(actor: Actor): Promise<SenderView[]> {
      return (await listAccountSenders(db, actor.account.id)).map(senderView);
    },

    async requestSender(actor: Actor, fields: Fields): Promise<Outcome<SenderView>> {
      const errors = new ValidationErrors();
      const name = textField(fields, 'name', errors, { required: true });
      if (name !== undefined) {
        const problem = senderNameProblem(name);
        if (problem) errors.add('name', ruleText.senderName('name', problem));
      }
      if (!errors.empty || name === undefined) return invalid(errors);
      const result = await requestSender(db, actor.account.id, name);
      return result.ok ? ok(senderView(result.sender)) : invalidOne('name', ruleText.taken('name'));
    },

    async rates(actor: Actor, filters: RateFilters): Promise<RateView[]> {
      return (await api.listRates(actor.account.id, filters)).map((r) => ({
        country: r.country,
        mcc: r.mcc,
        mnc: r.mnc,
        rate: amountText(r.rateMinor),
      }));
    },
  };
}
