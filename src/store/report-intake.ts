// Delivery reports as providers push them (SMPP receipts on a bind, webhook posts): many small arrivals at once. The
// reports that arrive in one turn of the event loop, or while a transaction applies earlier ones, are applied together
// by the next one, so a storm of receipts costs a few transactions, not one each, and a lone receipt waits one turn.
import type { Db } from './db.js';
import { onNextTurn } from './next-turn.js';
import { applyReports, type ProviderReport } from './reports.js';

/** Reports applied by one transaction at most. */
export const REPORTS_PER_TRANSACTION_MAX = 512;
/**
 * Transactions in flight at once: SQLite has one writer anyway; on PostgreSQL two, so one group's round trips overlap
 * the other's commit.
 */
const IN_FLIGHT = { sqlite: 1, postgres: 2 } as const;

interface Arrival {
  readonly reports: readonly ProviderReport[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface ReportIntake {
  /**
   * Applies `reports` (see `applyReports`) with those of other callers; resolves once they are committed, rejects when
   * they could not be (the provider then delivers them again). Another caller's failure never fails these.
   */
  apply(reports: readonly ProviderReport[]): Promise<void>;
}

export function createReportIntake(db: Db): ReportIntake {
  const inFlightMax = IN_FLIGHT[db.dialect];
  let queue: Arrival[] = [];
  let inFlight = 0;

  async function commit(group: readonly Arrival[]): Promise<void> {
    try {
      await applyReports(
        db,
        db.nowUs(),
        group.flatMap((arrival) => arrival.reports),
      );
      for (const arrival of group) arrival.resolve();
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
    }
    // The group failed as a whole: each caller's reports alone, so only the one at fault is refused.
    for (const arrival of group) {
      try {
        await applyReports(db, db.nowUs(), arrival.reports);
        arrival.resolve();
      } catch (error) {
        arrival.reject(error);
      }
    }
  }

  function pump(): void {
    while (inFlight < inFlightMax && queue.length > 0) {
      // Whole callers only, up to the bound (a caller bigger than the bound goes alone), in arrival order.
      let count = 0;
      let taken = 0;
      for (const arrival of queue) {
        if (taken > 0 && count + arrival.reports.length > REPORTS_PER_TRANSACTION_MAX) break;
        count += arrival.reports.length;
        taken++;
      }
      const group = queue.slice(0, taken);
      queue = queue.slice(taken);
      inFlight++;
      void commit(group).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  const pumpNextTurn = onNextTurn(pump);

  return {
    apply(reports) {
      if (reports.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ reports, resolve, reject });
        pumpNextTurn();
      });
    },
  };
}
