// What an upstream provider charges for one part, and how well it has been delivering: the two inputs of least-cost
// routing and of the margin. The store reads them from the database (cost lists, delivery statistics); routing and
// margins see them only through these shapes.

/** One part's cost at a provider, in the provider's currency (integer minor units of 1/10000, like every amount). */
export interface ProviderCost {
  readonly amountMinor: number;
  /** ISO 4217 code of the provider's cost list. */
  readonly currency: string;
}

/** Every provider's cost list as read at one moment. */
export interface CostBook {
  /** Moves on whenever any provider's list is replaced: a reader keeps its book until the version changes. */
  readonly version: number;
  /**
   * The cost of one part to this network at `provider`: its row for MCC + MNC, else its country row (empty MNC);
   * null when its list has neither (or the network is unknown, `mcc` null) or it has no list at all.
   */
  costOf(provider: string, mcc: string | null, mnc: string | null): ProviderCost | null;
}

export const EMPTY_COST_BOOK: CostBook = Object.freeze({ version: 0, costOf: () => null });

/** How a provider delivered to one country over the recent window, from our own delivery reports. */
export interface DeliveryQuality {
  /** Final delivery reports received in the window (delivered + not delivered). */
  readonly reports: number;
  readonly delivered: number;
  /** Mean time from the hand-over to the delivery report, in milliseconds; null without reports. */
  readonly meanLatencyMs: number | null;
}

/** Every provider's recent delivery quality per country, shared by all worker processes through the database. */
export interface QualityBook {
  /** Null when there are no reports for this provider and country in the window (quality unknown). */
  qualityOf(provider: string, mcc: string | null): DeliveryQuality | null;
}

export const EMPTY_QUALITY_BOOK: QualityBook = Object.freeze({ qualityOf: () => null });

/** The delivered share in parts per million (exact, integer); null when there are no reports. */
export function deliveryRatioPpm(quality: DeliveryQuality): number | null {
  if (quality.reports <= 0) return null;
  return Math.floor((quality.delivered * 1_000_000) / quality.reports);
}

/**
 * An amount in currency `from` in currency `to`, through the platform's conversion rates (each quoted as
 * `1 base = ratePpm / 10^6 currency`, the base currency's own rate being 10^6), rounded UP to whole minor units: a
 * converted cost is never below what it is worth, so a margin computed with it is never flattering. Exact (BigInt).
 * Null when either currency has no rate.
 */
export function convertCostUp(
  amountMinor: number,
  from: string,
  to: string,
  ratePpmOf: (currency: string) => number | null,
): number | null {
  if (from === to) return amountMinor;
  const fromPpm = ratePpmOf(from);
  const toPpm = ratePpmOf(to);
  if (fromPpm === null || toPpm === null || fromPpm <= 0) return null;
  const product = BigInt(amountMinor) * BigInt(toPpm);
  const divisor = BigInt(fromPpm);
  const quotient = product / divisor;
  return Number(product % divisor === 0n ? quotient : quotient + 1n);
}
