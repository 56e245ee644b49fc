// Where the delivery reports providers push (SMPP receipts on a bind, webhook posts) go: to the store, in groups as
// they come together; on PostgreSQL once this process's hand-overs to that provider in flight have stored their
// outcomes (most reports name their messages, and then find them at once rather than being kept aside under a lock).
// On SQLite a report kept aside costs one insert, while holding its answer back holds the SMSC's stream back too (a
// Nagle-delayed SMSC sends its submit_sm_resp when our next packet acknowledges what it sent).
import type { Db } from '../store/db.js';
import { createReportIntake } from '../store/report-intake.js';
import { keepingAsideContends } from '../store/reports.js';
import type { HandOversInFlight } from './hand-overs-in-flight.js';
import type { DeliveryReport } from './provider.js';

/** Stores reports a provider pushed; resolves once they are stored (the provider is answered then). */
export type PushedReports = (provider: string, reports: readonly DeliveryReport[]) => Promise<void>;

export function pushedReports(db: Db, handOvers: HandOversInFlight): PushedReports {
  const intake = createReportIntake(db);
  const waitForHandOvers = keepingAsideContends(db);
  return async (provider, reports) => {
    if (waitForHandOvers) await handOvers.settled(provider);
    await intake.apply(reports.map((report) => ({ provider, ...report })));
  };
}
