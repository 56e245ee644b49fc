// Applies the schema migrations at start: a static list (no directory scan, so it runs from dist/ too), both engines.
import { type Migration, Migrator } from 'kysely';
import type { Db, DialectName } from '../db.js';
import { initialSchema } from './0001-initial.js';
import { dispatchSchema } from './0002-dispatch.js';
import { dashboardSchema } from './0003-dashboard.js';
import { rateVersionsSchema } from './0004-rate-versions.js';
import { retentionSchema } from './0005-retention.js';
import { leaseFairnessSchema } from './0006-lease-fairness.js';
import { installationSchema } from './0007-installation.js';
import { providerStatusSchema } from './0008-provider-status.js';
import { messagesDispatchByIdSchema } from './0009-messages-dispatch-by-id.js';
import { messagesSubmittedCostSchema } from './0010-messages-submitted-cost.js';
import { ledgerEntriesBySendingSchema } from './0011-ledger-entries-by-sending.js';
import { webhookSecretRotationSchema } from './0013-webhook-secret-rotation.js';
import { suppressionsSchema } from './0014-suppressions.js';
import { rateListCurrencySchema } from './0015-rate-list-currency.js';
import { inboundSchema } from './0016-inbound.js';
import { moneyControlsSchema } from './0017-money-controls.js';
import { providerCostsSchema } from './0018-provider-costs.js';
import { routeRulesSchema } from './0019-route-rules.js';
import { qualityAndMarginSchema } from './0020-quality-and-margin.js';
import { inboundCallbacksSchema } from './0021-inbound-callbacks.js';
import { keywordRepliesSchema } from './0022-keyword-replies.js';
import { sendWindowValiditySchema } from './0023-send-window-validity.js';
import { invitationsSchema } from './0024-invitations.js';
import { optOutWordsSchema } from './0025-opt-out-words.js';
import { optOutScopeSchema } from './0026-opt-out-scope.js';
import { owedKeywordRepliesSchema } from './0027-owed-keyword-replies.js';
import { slimmerStatusIndexesSchema } from './0028-slimmer-status-indexes.js';
import { leaseTurnsSchema } from './0029-lease-turns.js';
import { leaseParkingSchema } from './0030-lease-parking.js';

/** Every migration, by name; names sort in the order they apply. Never edit one that has shipped: add the next. */
export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-initial': initialSchema(dialect),
    '0002-dispatch': dispatchSchema(dialect),
    '0003-dashboard': dashboardSchema(dialect),
    '0004-rate-versions': rateVersionsSchema(dialect),
    '0005-retention': retentionSchema(),
    '0006-lease-fairness': leaseFairnessSchema(),
    '0007-installation': installationSchema(),
    '0008-provider-status': providerStatusSchema(),
    '0009-messages-dispatch-by-id': messagesDispatchByIdSchema(dialect),
    '0010-messages-submitted-cost': messagesSubmittedCostSchema(),
    '0011-ledger-entries-by-sending': ledgerEntriesBySendingSchema(),
    '0013-webhook-secret-rotation': webhookSecretRotationSchema(),
    '0014-suppressions': suppressionsSchema(dialect),
    '0015-rate-list-currency': rateListCurrencySchema(dialect),
    '0016-inbound': inboundSchema(dialect),
    '0017-money-controls': moneyControlsSchema(),
    '0018-provider-costs': providerCostsSchema(),
    '0019-route-rules': routeRulesSchema(dialect),
    '0020-quality-and-margin': qualityAndMarginSchema(),
    '0021-inbound-callbacks': inboundCallbacksSchema(dialect),
    '0022-keyword-replies': keywordRepliesSchema(dialect),
    '0023-send-window-validity': sendWindowValiditySchema(),
    '0024-invitations': invitationsSchema(dialect),
    '0025-opt-out-words': optOutWordsSchema(),
    '0026-opt-out-scope': optOutScopeSchema(dialect),
    '0027-owed-keyword-replies': owedKeywordRepliesSchema(),
    '0028-slimmer-status-indexes': slimmerStatusIndexesSchema(dialect),
    '0029-lease-turns': leaseTurnsSchema(),
    '0030-lease-parking': leaseParkingSchema(),
  };
}

/**
 * Brings the schema up to date. Safe when several processes start at once: on PostgreSQL Kysely's migrator holds an
 * advisory lock around one transaction; on SQLite the whole run is one BEGIN IMMEDIATE transaction (sqlite-dialect.ts).
 * Returns the names of the migrations this call applied.
 */
export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrationsFor(db.dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'bookkeeping';
    throw new Error(`database migration ${failed} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
