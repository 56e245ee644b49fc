// PostgreSQL plans the store's statements once per connection and, after a few runs, keeps a generic plan: one made
// without the bound values, which guesses how many ids a list parameter holds. The dispatch path's statements must
// find their rows of `messages` and `sendings` by index in that plan too, at the planner's real costs, once the tables
// hold many rows: a plan that reads either table whole costs in proportion to everything stored.
import { Client, escapeLiteral } from 'pg';
import { beforeAll, expect, it } from 'vitest';
import type { ExecutedQuery } from '../../src/store/db.js';
import {
  type LeaseRouting,
  leaseDueMessages,
  lookAtAwaitingReports,
  recordOutcomes,
} from '../../src/store/dispatch-queue.js';
import { applyReports } from '../../src/store/reports.js';
import { createSending } from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { numberEndingWith, sendingTo } from '../dispatch/support.js';
import { describeEachEngine, type Engine } from '../support/databases.js';
import { growTables } from '../support/grown-tables.js';
import { type ExplainRows, planNodes } from '../support/plans.js';
import { statementRecorder } from '../support/statements.js';
import { fundedAccount } from '../support/store-fixtures.js';

/** The tables read in a generic plan's sequential scan that would make it fail. */
const LARGE_TABLES = new Set(['messages', 'sendings']);
const LEASE_US = 60_000 * US_PER_MS;
const SANDBOX_ONLY: LeaseRouting = () => ({ provider: 'sandbox', ruleId: null });

const { onQuery, captured } = statementRecorder();

/** A bound value as SQL text for `execute`, as the driver sends it (an array as an array literal). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const items = value.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/["\\]/g, '\\$&')}"`));
    return escapeLiteral(`{${items.join(',')}}`);
  }
  return escapeLiteral(String(value));
}

/**
 * One line per statement whose generic plan reads `messages` or `sendings` sequentially: each statement is prepared
 * with SQL PREPARE (parameter types inferred as for the driver's), then its plan explained with the generic plan
 * forced, at the planner's own costs.
 */
async function genericSeqScans(engine: Engine, statements: readonly ExecutedQuery[]): Promise<string[]> {
  const client = new Client({ connectionString: engine.url });
  await client.connect();
  try {
    await client.query('set plan_cache_mode = force_generic_plan');
    const found: string[] = [];
    const seen = new Set<string>();
    for (const statement of statements) {
      if (seen.has(statement.sql)) continue;
      seen.add(statement.sql);
      await client.query('begin');
      try {
        await client.query(`prepare generic_plan as ${statement.sql}`);
        const args = statement.parameters.map(literal);
        const { rows } = await client.query<ExplainRows[number]>(
          `explain (format json) execute generic_plan${args.length > 0 ? `(${args.join(', ')})` : ''}`,
        );
        for (const node of planNodes(rows)) {
          const table = node['Relation Name'];
          if (node['Node Type'] === 'Seq Scan' && table !== undefined && LARGE_TABLES.has(table)) {
            found.push(`${table} read whole in: ${statement.sql.replace(/\s+/g, ' ').trim()}`);
          }
        }
      } finally {
        await client.query('rollback');
        await client.query('deallocate all');
      }
    }
    return found;
  } finally {
    await client.end();
  }
}

describeEachEngine(
  'generic plans of the dispatch path at grown tables',
  (engine) => {
    beforeAll(async () => {
      if (engine.name !== 'postgres') return;
      // Many sendings (the settlement's and the lease's lists name a few of them) and their messages, analysed.
      await growTables(engine.db, { messages: 40_000, sendings: 8_000, accounts: 40, liveSendings: 10 });
      const admin = new Client({ connectionString: engine.url });
      await admin.connect();
      await admin.query('analyze');
      await admin.end();
    }, 120_000);

    it.skipIf(engine.name !== 'postgres')(
      'names a statement whose generic plan reads a large table whole',
      async () => {
        const found = await genericSeqScans(engine, [
          { sql: 'select id from sendings where text = $1', parameters: ['Your code is 1234'] },
          { sql: 'select id from sendings where id = any($1::int8[])', parameters: [[1, 2, 3]] },
        ]);
        expect(found).toEqual(['sendings read whole in: select id from sendings where text = $1']);
      },
    );

    it.skipIf(engine.name !== 'postgres')(
      'a lease, its outcomes, receipts, a report poll and the settlement read messages and sendings by index',
      async () => {
        const accountId = await fundedAccount(engine.db, 10_000_000, 'generic');
        const created: number[] = [];
        for (let i = 0; i < 12; i++) {
          const sending = await createSending(engine.db, sendingTo(accountId, [numberEndingWith('0009', i)]));
          if (!sending.ok) throw new Error(sending.reason);
          created.push(sending.sending.id);
        }
        const nowUs = engine.db.nowUs();
        const statements: ExecutedQuery[] = [];
        let ids: number[] = [];
        statements.push(
          ...(await captured(async () => {
            const lease = await leaseDueMessages(
              engine.db,
              { workerId: 'w1', nowUs, leaseUs: LEASE_US, limit: 100 },
              SANDBOX_ONLY,
            );
            ids = lease.messages.filter((m) => created.includes(m.sendingId)).map((m) => m.id);
          })),
        );
        expect(ids).toHaveLength(12);
        const [first, second, ...rest] = ids as [number, number, ...number[]];
        statements.push(
          ...(await captured(() =>
            recordOutcomes(
              engine.db,
              { workerId: 'w1', nowUs },
              {
                accepted: rest.map((id) => ({ id, providerMessageId: `gp-${id}`, nextPollAtUs: nowUs })),
                final: [{ id: first, status: 'rejected', error: 'refused' }],
                retry: [{ id: second, nextAttemptAtUs: nowUs + LEASE_US, error: 'busy' }],
              },
            ),
          )),
        );
        // Receipts for half of them (the settlement of their sendings), a poll for the others.
        const half = rest.slice(0, rest.length / 2);
        statements.push(
          ...(await captured(() =>
            applyReports(
              engine.db,
              nowUs,
              half.map((id) => ({ provider: 'sandbox', providerMessageId: `gp-${id}`, status: 'delivered' as const })),
            ),
          )),
        );
        statements.push(
          ...(await captured(() =>
            lookAtAwaitingReports(
              engine.db,
              { provider: 'sandbox', nowUs: nowUs + 1, nextPollAtUs: () => nowUs + LEASE_US, limit: 100 },
              async (due) =>
                due
                  .filter((m) => rest.includes(m.id))
                  .map((m) => ({ messageId: m.id, status: 'delivered' as const, error: null, atUs: nowUs })),
            ),
          )),
        );
        const settled = await engine.db.kysely
          .selectFrom('sendings')
          .select(['id', 'status'])
          .where('id', 'in', created)
          .execute();
        expect(settled.filter((s) => s.status === 'Completed')).toHaveLength(10);
        expect(statements.some((s) => /update "?sendings"?/.test(s.sql))).toBe(true);
        expect((await genericSeqScans(engine, statements)).join('\n')).toBe('');
      },
    );
  },
  { dbOptions: { onQuery } },
);
