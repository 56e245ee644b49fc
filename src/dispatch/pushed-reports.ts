// Where the delivery reports providers push (SMPP receipts on a bind, webhook posts) go: once this process's hand-overs
// to that provider in flight have stored their outcomes (most reports name their messages, and then find them at
// once), to the store, in groups as they come together.
import type { Db } from '../store/db.js';
import { createReportIntake } from '../store/report-intake.js';
import type { HandOversInFlight } from './hand-overs-in-flight.js';
import type { DeliveryReport } from './provider.js';

/** Stores reports a provider pushed; resolves once they are stored (the provider is answered then). */
export type PushedReports = (provider: string, reports: readonly DeliveryReport[]) => Promise<void>;

export function pushedReports(db: Db, handOvers: HandOversInFlight): PushedReports {
  const intake = createReportIntake(db);
  return async (provider, reports) => {
    await handOvers.settled(provider);
    await intake.apply(reports.map((report) => ({ provider, ...report })));
  };
}
