// A Draft's recipients as a page, priced with today's rates: none is a message yet.
import { createRateCard, priceSending } from '../domain/pricing.js';
import type { MessageStatus } from '../domain/status.js';
import { ValidationErrors } from '../domain/texts.js';
import type { Account } from '../store/accounts.js';
import type { Recipient } from '../store/campaigns.js';
import type { Draft } from '../store/drafts.js';
import type { ApiServicesDeps } from './api-services.js';
import { type PageOf, type PageRequest, pageOf } from './form-fields.js';
import { rateCardsOf } from './rate-cards.js';

/** Each recipient is `queued` and its id is its position in the draft. */
export async function draftRecipients(
  { db, plan }: ApiServicesDeps,
  account: Account,
  draft: Draft,
  page: PageRequest,
  status: MessageStatus | undefined,
  search: string | undefined,
): Promise<PageOf<Recipient>> {
  const positions: number[] = [];
  if (status === undefined || status === 'queued') {
    draft.recipients.forEach((recipient, i) => {
      if (search === undefined || recipient.includes(search)) positions.push(i);
    });
  }
  const shown = positions.slice((page.page - 1) * page.perPage, page.page * page.perPage);
  const numbers = shown.map((i) => draft.recipients[i] as string);
  const priced = priceSending(
    { message: draft.sending.text, recipients: numbers },
    // Without a list in the account's currency the recipients are listed unpriced (sending them is refused).
    {
      plan,
      rates: (await rateCardsOf(db).forAccount(account.id)) ?? createRateCard([]),
      taxRatePpm: account.taxRatePpm,
    },
    new ValidationErrors(),
    { onUnpriced: () => {} },
  );
  const byNumber = new Map<
    string,
    {
      country: string;
      iso: string;
      destination: string;
      mcc: string | null;
      mnc: string | null;
      rateMinor: number;
      costMinor: number;
    }
  >();
  if (priced.ok) {
    const { quote } = priced;
    quote.recipients.forEach((recipient, i) => {
      const destination = quote.destinations[quote.destinationOf[i] as number];
      if (!destination) return;
      byNumber.set(recipient, {
        country: destination.country.name,
        iso: destination.country.iso,
        destination: destination.name,
        mcc: destination.mcc,
        mnc: destination.mnc,
        rateMinor: destination.rateMinor,
        costMinor: destination.rateMinor * quote.partsPerMessage,
      });
    });
  }
  const rows = shown.map((position, i): Recipient => {
    const recipient = numbers[i] as string;
    const found = byNumber.get(recipient);
    return {
      id: position + 1,
      recipient,
      country: found?.country ?? null,
      iso: found?.iso ?? null,
      destination: found?.destination ?? '',
      mcc: found?.mcc ?? null,
      mnc: found?.mnc ?? null,
      parts: draft.sending.partsPerMessage,
      rateMinor: found?.rateMinor ?? 0,
      costMinor: found?.costMinor ?? 0,
      status: 'queued',
      acceptedAtUs: null,
      providerStatus: null,
      error: null,
      updatedAtUs: draft.sending.updatedAtUs,
    };
  });
  return pageOf(rows, page, positions.length);
}
