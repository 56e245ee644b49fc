// An account's campaigns (its sendings, drafts included): listed, shown, cancelled, and their recipients.

import type { SendingStatus } from '../domain/sending.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../domain/status.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { type Campaign, getCampaign, listCampaigns, listRecipients, type Recipient } from '../store/campaigns.js';
import type { Db } from '../store/db.js';
import { readDraft } from '../store/drafts.js';
import type { Actor, UseCaseContext } from './context.js';
import { draftRecipients } from './draft-recipients.js';
import { type Fields, oneOfField, type PageOf, pageField, pageOf, textField } from './form-fields.js';
import { conflict, invalid, notFound, type Outcome, ok } from './outcome.js';
import { cancelPendingSending } from './sending-cancel.js';

const SENDING_STATUSES: readonly SendingStatus[] = [
  'Draft',
  'Pending',
  'Processing',
  'Completed',
  'Cancelled',
  'Failed',
];

export async function campaignOrNotFound(db: Db, accountId: number, sendingId: number): Promise<Outcome<Campaign>> {
  const campaign = await getCampaign(db, accountId, sendingId);
  return campaign ? ok(campaign) : notFound;
}

export function createCampaignServices({ deps }: UseCaseContext) {
  const { db } = deps;
  return {
    async campaigns(actor: Actor, fields: Fields): Promise<Outcome<PageOf<Campaign>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const status = oneOfField(fields, 'status', SENDING_STATUSES, errors);
      if (!errors.empty) return invalid(errors);
      const found = await listCampaigns(db, actor.account.id, { ...page, ...(status !== undefined && { status }) });
      return ok(pageOf(found.rows, page, found.total));
    },

    campaign(actor: Actor, sendingId: number): Promise<Outcome<Campaign>> {
      return campaignOrNotFound(db, actor.account.id, sendingId);
    },

    async cancel(actor: Actor, sendingId: number): Promise<Outcome<Campaign>> {
      const result = await cancelPendingSending(db, sendingId, actor.account.id);
      if (!result.ok) {
        return result.reason === 'not_found' ? notFound : conflict(ruleText.notCancellable(result.status));
      }
      return campaignOrNotFound(db, actor.account.id, sendingId);
    },

    async recipients(actor: Actor, sendingId: number, fields: Fields): Promise<Outcome<PageOf<Recipient>>> {
      const errors = new ValidationErrors();
      const page = pageField(fields, errors);
      const status = oneOfField<MessageStatus>(fields, 'status', MESSAGE_STATUSES, errors);
      const rawSearch = textField(fields, 'search', errors, { max: 64 });
      if (!errors.empty) return invalid(errors);
      // Numbers are stored as digits: "+371 26-12" looks for "3712612"; anything else matches no number.
      const search = rawSearch?.replace(/[\s+()-]/g, '');
      if (search !== undefined && !/^\d*$/.test(search)) {
        return (await getCampaign(db, actor.account.id, sendingId)) ? ok(pageOf([], page, 0)) : notFound;
      }
      const draft = await readDraft(db, actor.account.id, sendingId);
      if (draft) return ok(await draftRecipients(deps, actor.account, draft, page, status, search));
      const found = await listRecipients(db, actor.account.id, sendingId, {
        ...page,
        ...(status !== undefined && { status }),
        ...(search !== undefined && { search }),
      });
      if (!found) return notFound;
      return ok(pageOf(found.rows, page, found.total));
    },
  };
}
