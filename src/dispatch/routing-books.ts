// What least-cost routing and the margin read from the database, kept per process: the providers' cost lists (read
// again when their version moves, checked before every lease), their delivery quality and the currencies' conversion
// rates (read again every 30 s, shared by every worker through the database).
import { type CostBook, EMPTY_COST_BOOK, EMPTY_QUALITY_BOOK, type QualityBook } from '../domain/provider-costs.js';
import type { ClockUs } from '../domain/time.js';
import type { Db } from '../store/db.js';
import { readQualityBook } from '../store/delivery-quality.js';
import { createCostBookCache } from '../store/provider-costs.js';
import { conversionRatesPpm } from '../store/rates.js';
import { refreshedEvery } from './worker/refreshed.js';

/** How often the delivery quality and the conversion rates are read again. */
export const BOOKS_REFRESH_MS = 30_000;

export interface RoutingBooks {
  /** Brings the books up to date: one query for the cost lists' version, the slower reads every 30 s. */
  refresh(): Promise<void>;
  costBook(): CostBook;
  qualityBook(): QualityBook;
  /** 1 base-currency unit in `currency`, in millionths; null when the platform has no rate for it. */
  ratePpmOf(currency: string): number | null;
}

export function createRoutingBooks(db: Db, clockUs: ClockUs = () => db.nowUs()): RoutingBooks {
  const costs = createCostBookCache(db);
  const quality = refreshedEvery(() => readQualityBook(db, { nowUs: clockUs() }), BOOKS_REFRESH_MS, clockUs);
  const rates = refreshedEvery(() => conversionRatesPpm(db), BOOKS_REFRESH_MS, clockUs);
  let costBook: CostBook = EMPTY_COST_BOOK;
  let qualityBook: QualityBook = EMPTY_QUALITY_BOOK;
  let ratesPpm: ReadonlyMap<string, number> = new Map();
  return {
    async refresh() {
      [costBook, qualityBook, ratesPpm] = await Promise.all([costs.current(), quality(), rates()]);
    },
    costBook: () => costBook,
    qualityBook: () => qualityBook,
    ratePpmOf: (currency) => ratesPpm.get(currency) ?? null,
  };
}
