// What a handed-over message costs the platform at its provider, in the provider's currency and in the account's:
// the cost side of the operator's margin.
import { type CostBook, convertCostUp } from './provider-costs.js';

/** A message's provider cost as recorded with its submit result. */
export interface MessageProviderCost {
  /** Parts × the provider's cost of one part, in the provider's currency (minor units). */
  readonly amountMinor: number;
  readonly currency: string;
  /** The same in the account's currency, rounded up; null when a currency has no conversion rate. */
  readonly accountAmountMinor: number | null;
  /**
   * The conversion rates used, each quoted from the platform's base currency in millionths (the base currency's own
   * being 10^6): `fromRatePpm` the provider currency's, `toRatePpm` the account currency's. Null when not converted
   * (a currency without a rate); both 10^6 when the two currencies are the same.
   */
  readonly fromRatePpm: number | null;
  readonly toRatePpm: number | null;
}

/** How often a worker reads the cost-side books again (delivery quality, conversion rates). */
export const BOOKS_REFRESH_MS = 30_000;

const SAME_CURRENCY_PPM = 1_000_000;

/**
 * The provider cost of `parts` parts to this network at `provider`, or null when its cost list has no price for it.
 * `ratePpmOf` gives each currency's conversion rate from the platform's base currency (null: none).
 */
export function messageProviderCost(
  book: CostBook,
  message: {
    readonly provider: string;
    readonly mcc: string | null;
    readonly mnc: string | null;
    readonly parts: number;
  },
  accountCurrency: string,
  ratePpmOf: (currency: string) => number | null,
): MessageProviderCost | null {
  const perPart = book.costOf(message.provider, message.mcc, message.mnc);
  if (perPart === null) return null;
  const amountMinor = perPart.amountMinor * message.parts;
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) return null;
  if (perPart.currency === accountCurrency) {
    return {
      amountMinor,
      currency: perPart.currency,
      accountAmountMinor: amountMinor,
      fromRatePpm: SAME_CURRENCY_PPM,
      toRatePpm: SAME_CURRENCY_PPM,
    };
  }
  const accountAmountMinor = convertCostUp(amountMinor, perPart.currency, accountCurrency, ratePpmOf);
  const converted = accountAmountMinor !== null;
  return {
    amountMinor,
    currency: perPart.currency,
    accountAmountMinor,
    fromRatePpm: converted ? ratePpmOf(perPart.currency) : null,
    toRatePpm: converted ? ratePpmOf(accountCurrency) : null,
  };
}

/** Whether the cost needs conversion rates: a price in another currency than the account's. */
export function needsConversion(
  book: CostBook,
  provider: string,
  mcc: string | null,
  mnc: string | null,
  currency: string,
): boolean {
  const perPart = book.costOf(provider, mcc, mnc);
  return perPart !== null && perPart.currency !== currency;
}
