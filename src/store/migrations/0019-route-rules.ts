// The operator's route table: ordered rules choosing the providers of `default` messages, and on each message the
// rule that decided its provider.
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectName } from '../db.js';

/**
 * `route_rules`: one row per rule, in `position` order; the default rule (`is_default` 1) matches everything, comes
 * last whatever its position, and always exists (inserted here, never deleted). Match fields (null: any): `mcc`,
 * `mnc`, `prefix` (digits), `account_id`, `sending_type`, `sender_kind`. `providers`: comma-separated names in order
 * (the default rule's may be empty: the configured providers in the built-in order). Least-cost thresholds:
 * `min_delivery_ppm`, `max_latency_ms`, `min_reports`. `route_table`: one row whose `version` moves on every change of
 * the rules, so that a worker reads the whole table again only when it changed. `messages.route_rule_id`: the rule
 * that decided the message's provider at its latest lease (null: a named sending type, or leased before rules).
 */
export function routeRulesSchema(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const table = db.schema.createTable('route_rules');
      await (dialect === 'sqlite'
        ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        : table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('mcc', 'text')
        .addColumn('mnc', 'text')
        .addColumn('prefix', 'text')
        .addColumn('account_id', 'bigint', (c) => c.references('accounts.id'))
        .addColumn('sending_type', 'text')
        .addColumn('sender_kind', 'text', (c) => c.check(sql`sender_kind in ('alphanumeric', 'numeric')`))
        .addColumn('strategy', 'text', (c) => c.notNull().check(sql`strategy in ('fixed', 'failover', 'least_cost')`))
        .addColumn('providers', 'text', (c) => c.notNull())
        .addColumn('min_delivery_ppm', 'integer')
        .addColumn('max_latency_ms', 'bigint')
        .addColumn('min_reports', 'integer')
        .addColumn('loss_policy', 'text', (c) => c.notNull().check(sql`loss_policy in ('send', 'refuse')`))
        .addColumn('created_at_us', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_us', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('route_rules_position').on('route_rules').columns(['position', 'id']).execute();
      // At most one default rule.
      await sql`create unique index route_rules_default on route_rules (is_default) where is_default = 1`.execute(db);
      await sql`
        insert into route_rules (position, is_default, strategy, providers, loss_policy, created_at_us, updated_at_us)
        values (1, 1, 'failover', '', 'send', 0, 0)`.execute(db);
      await db.schema
        .createTable('route_table')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into route_table (id, version) values (1, 1)`.execute(db);
      await db.schema.alterTable('messages').addColumn('route_rule_id', 'bigint').execute();
    },
  };
}
