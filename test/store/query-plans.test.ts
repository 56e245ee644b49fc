// Every statement the store runs per API request and per dispatch lease, settlement, report or callback is served by
// an index on both engines: no full scan of a table that grows with the traffic it has stored.
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { changeSpendLimits } from '../../src/services/account-controls.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { claimCallbacks, recordCallbackResults } from '../../src/store/callbacks.js';
import { getCampaign, listCampaigns, listRecipients } from '../../src/store/campaigns.js';
import { conversationMessages, lastNumberWrittenTo, listConversations } from '../../src/store/conversations.js';
import type { ExecutedQuery } from '../../src/store/db.js';
import {
  type LeaseRouting,
  leaseDueMessages,
  lookAtAwaitingReports,
  recordOutcomes,
  takeOverExpiredLeases,
} from '../../src/store/dispatch-queue.js';
import { expireOverdueMessages } from '../../src/store/expiry.js';
import { owedKeywordReplies } from '../../src/store/inbound.js';
import { claimLoginAttempt, loginSucceeded } from '../../src/store/login-failures.js';
import { assignNumber } from '../../src/store/numbers.js';
import { replaceRates } from '../../src/store/rates.js';
import { applyReports, sweepKeptReports } from '../../src/store/reports.js';
import { pruneFinishedRows } from '../../src/store/retention.js';
import { cancelSending, finishInterruptedCancels } from '../../src/store/sending-cancel.js';
import { createSending } from '../../src/store/sendings.js';
import { createSession, findSession } from '../../src/store/sessions.js';
import { US_PER_MS } from '../../src/store/time.js';
import { listTransactions } from '../../src/store/transactions.js';
import { createCustomer, findUserByEmail, foldEmail } from '../../src/store/users.js';
import { numberEndingWith, sendingTo } from '../dispatch/support.js';
import { storeCopiesOf } from '../support/backlog.js';
import { describeEachEngine, type Engine } from '../support/databases.js';
import { growTables } from '../support/grown-tables.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';
import { type ExplainRows, planNodes } from '../support/plans.js';
import { statementRecorder } from '../support/statements.js';
import { fundedAccount } from '../support/store-fixtures.js';

/** Tables that grow with the traffic stored: a per-request or per-lease statement must never read one whole. */
const GROWING_TABLES = new Set([
  'accounts',
  'api_tokens',
  'sendings',
  'messages',
  'rates',
  'ledger_entries',
  'senders',
  'callback_outbox',
  'pending_reports',
  'sandbox_submissions',
  'sending_drafts',
  'users',
  'sessions',
  'suppressions',
  'suppression_changes',
  'numbers',
  'inbound_messages',
  'invitations',
]);

/**
 * Tables that are read whole on purpose, each bounded by something other than the traffic stored:
 * - pending_reports: reports for provider ids not stored yet, kept for the keep window only (sweepKeptReports drops
 *   the older ones), so it holds at most a few minutes of early reports.
 * (Tables not in GROWING_TABLES are not looked at: countries and country_mccs are fixed, rate_lists holds one
 * row per price list, installation one row.)
 */
const BOUNDED_TABLES: ReadonlyMap<string, string> = new Map([
  ['pending_reports', 'kept for the keep window only, then swept'],
]);

/** Reads the checks let through, each for a reason that bounds it; `statement` must match the statement's text. */
const ALLOWED: readonly {
  readonly kinds: readonly FullScan['kind'][];
  readonly table: string;
  readonly statement: RegExp;
  readonly reason: string;
}[] = [
  {
    // The status index, or the whole of the partial index of leases (messages_lease_expiry), when the planner's
    // statistics say few messages are held (PostgreSQL chooses it only then).
    kinds: ['status', 'index'],
    table: 'messages',
    statement: /status = 'submitting'/,
    reason:
      "a message is 'submitting' only while a lease holds it: at most the workers' lease limits together, never history",
  },
];

function allowed(scan: FullScan, statement: string): boolean {
  return ALLOWED.some((a) => a.kinds.includes(scan.kind) && a.table === scan.table && a.statement.test(statement));
}

function watched(table: string | undefined): table is string {
  return table !== undefined && GROWING_TABLES.has(table) && !BOUNDED_TABLES.has(table);
}

/** Stored messages of the history the paths run among. */
const GROWN_MESSAGES = 40_000;

/** Every `default` message to the sandbox; a named type to none. */
const SANDBOX_ONLY: LeaseRouting = (_message, sending) => ({
  provider: sending.type === 'default' ? 'sandbox' : null,
  ruleId: null,
});
const LEASE_US = 60_000 * US_PER_MS;

/** QUERY_PLANS_PRINT=1 prints every statement looked at with its plan. */
const PRINT_PLANS = process.env.QUERY_PLANS_PRINT === '1';

const { onQuery, captured } = statementRecorder();

/**
 * A read of a growing table in one statement's plan whose cost is not bounded by what the statement names:
 * - table: the whole table (SQLite SCAN without an index, PostgreSQL Seq Scan);
 * - index: a whole index, read end to end without a condition on it (a partial one too: it holds every queued or
 *   accepted message, however many);
 * - status: every row of one status, the only condition the index serves (a status that rows end in holds the whole
 *   history; a live one, every row in that state).
 */
export interface FullScan {
  readonly table: string;
  readonly how: string;
  readonly kind: 'table' | 'index' | 'status';
}

const SQL_KEYWORDS = new Set([
  'where',
  'set',
  'on',
  'join',
  'left',
  'inner',
  'cross',
  'order',
  'group',
  'limit',
  'values',
  'select',
  'using',
  'returning',
  'default',
  'union',
  'for',
  'having',
  'natural',
]);

/** Which table each name in a plan stands for: the table's own name and every alias the statement gives it. */
function aliasesOf(statement: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const table of GROWING_TABLES) {
    names.set(table, table);
    const re = new RegExp(`(?:from|join|update|into)\\s+"?${table}"?(?:\\s+as)?\\s+"?([a-z_][a-z0-9_]*)"?`, 'gi');
    for (const match of statement.matchAll(re)) {
      const alias = match[1]?.toLowerCase();
      if (alias !== undefined && !SQL_KEYWORDS.has(alias)) names.set(alias, table);
    }
  }
  return names;
}

interface PlanChecker {
  fullScans(query: ExecutedQuery): Promise<FullScan[]>;
  close(): Promise<void>;
}

async function sqliteChecker(engine: Engine): Promise<PlanChecker> {
  const database = new SqliteDatabase(engine.url.slice('sqlite:'.length), { readonly: true });
  // SQLite plans an INSERT into a parent table with a look at each child table for orphans a deferred foreign key
  // left; it runs only while such a violation is outstanding, which immediate foreign keys never leave.
  const childrenOf = new Map<string, Set<string>>();
  for (const { name } of database.prepare(`select name from sqlite_master where type = 'table'`).all() as {
    name: string;
  }[]) {
    for (const fk of database.prepare(`select "table" from pragma_foreign_key_list(?)`).all(name) as {
      table: string;
    }[]) {
      const children = childrenOf.get(fk.table) ?? new Set<string>();
      children.add(name);
      childrenOf.set(fk.table, children);
    }
  }
  return {
    async fullScans(query) {
      const names = aliasesOf(query.sql);
      const plan = database.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as {
        detail: string;
      }[];
      const scans: FullScan[] = [];
      const inserted = /^\s*insert into "?([a-z_]+)"?/i.exec(query.sql)?.[1];
      const fkChildren = inserted === undefined ? new Set<string>() : (childrenOf.get(inserted) ?? new Set<string>());
      for (const { detail } of plan) {
        const match = /^(SCAN|SEARCH) (\S+)(?: [A-Z ]*?USING (?:COVERING )?INDEX (\S+)(?: \((.*)\))?)?/.exec(detail);
        if (!match?.[2]) continue;
        const table = names.get(match[2].toLowerCase());
        if (!watched(table) || fkChildren.has(table)) continue;
        const [, op, , index, condition] = match;
        if (op === 'SCAN') scans.push({ table, how: detail, kind: index === undefined ? 'table' : 'index' });
        else if (index !== undefined && condition === 'status=?') scans.push({ table, how: detail, kind: 'status' });
      }
      if (PRINT_PLANS) console.log(`${query.sql}\n  ${plan.map((p) => p.detail).join('\n  ')}`);
      return scans;
    },
    async close() {
      database.close();
    },
  };
}

interface PgPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgPlanNode[];
}

async function postgresChecker(engine: Engine): Promise<PlanChecker> {
  const client = new pg.Client({ connectionString: engine.url });
  await client.connect();
  // The planner then picks a sequential scan only where no index can serve at all, whatever the tables hold.
  await client.query('set enable_seqscan = off');
  return {
    async fullScans(query) {
      const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PgPlanNode }[] }>(
        `explain (format json) ${query.sql}`,
        query.parameters as unknown[],
      );
      const scans: FullScan[] = [];
      const walk = (node: PgPlanNode) => {
        const table = node['Relation Name'];
        if (watched(table)) {
          const type = node['Node Type'];
          const how = `${type}${node['Index Name'] ? ` on ${node['Index Name']}` : ''}`;
          const condition = node['Index Cond'];
          if (type === 'Seq Scan') scans.push({ table, how, kind: 'table' });
          else if (/Index/.test(type) && condition === undefined) scans.push({ table, how, kind: 'index' });
          else if (condition !== undefined && /^\(status = '[^']*'::text\)$/.test(condition)) {
            scans.push({ table, how: `${how}: ${condition}`, kind: 'status' });
          }
        }
        for (const child of node.Plans ?? []) walk(child);
      };
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
      if (plan) walk(plan);
      if (PRINT_PLANS) console.log(`${query.sql}\n${JSON.stringify(plan, null, 1)}`);
      return scans;
    },
    async close() {
      await client.end();
    },
  };
}

/** One line per statement that reads a growing table whole: the statement, the table and how the plan reads it. */
async function fullScansIn(engine: Engine, statements: readonly ExecutedQuery[]): Promise<string[]> {
  const checker = engine.name === 'sqlite' ? await sqliteChecker(engine) : await postgresChecker(engine);
  try {
    const found: string[] = [];
    const seen = new Set<string>();
    for (const statement of statements) {
      if (seen.has(statement.sql)) continue;
      seen.add(statement.sql);
      for (const scan of await checker.fullScans(statement)) {
        if (allowed(scan, statement.sql)) continue;
        found.push(`${scan.kind} read of ${scan.table} (${scan.how}) in: ${statement.sql.replace(/\s+/g, ' ').trim()}`);
      }
    }
    return found;
  } finally {
    await checker.close();
  }
}

interface ObservedLease {
  readonly sendingIds: number[];
  readonly nowUs: number;
  readonly statements: ExecutedQuery[];
}

/** Queued one-recipient sendings behind a lease in the backlog test: far more than one lease takes. */
const BACKLOG = 2_000;
/** A large sending's messages waiting for a retry, and those due, in the outage test of a large sending. */
const LARGE_WAITING = 2_000;
const LARGE_DUE = 500;
/** The batch of a lease in the backlog test. */
const BACKLOG_LEASE = 10;
/** 2100-01-01 UTC, in microseconds: when the template of the backlog's copies is due (no lease touches it). */
const FUTURE_US = 4_102_444_800_000_000;

/**
 * SQLite: the sorts (`USE TEMP B-TREE FOR ORDER BY`) of a select that itself reads a growing table. Such a select reads
 * every row it matches before its first one comes out, whatever its LIMIT: what it costs is what it matches. A select
 * that reads an index in the order asked for stops at its LIMIT instead. One line per such sort.
 */
interface SqlitePlanRow {
  readonly id: number;
  readonly parent: number;
  readonly detail: string;
}

/**
 * SQLite: what `visit` finds in each statement's plan (EXPLAIN QUERY PLAN, on a read-only connection of its own), given
 * the statement's table aliases, its plan rows and that connection; every finding, in order.
 */
function sqlitePlanFindings(
  engine: Engine,
  statements: readonly ExecutedQuery[],
  visit: (
    statement: ExecutedQuery,
    names: ReturnType<typeof aliasesOf>,
    plan: SqlitePlanRow[],
    database: SqliteDatabase.Database,
  ) => string[],
): string[] {
  const database = new SqliteDatabase(engine.url.slice('sqlite:'.length), { readonly: true });
  try {
    return statements.flatMap((statement) => {
      const plan = database
        .prepare(`explain query plan ${statement.sql}`)
        .all(...(statement.parameters as unknown[])) as SqlitePlanRow[];
      return visit(statement, aliasesOf(statement.sql), plan, database);
    });
  } finally {
    database.close();
  }
}

function sqliteSortedReads(engine: Engine, statements: readonly ExecutedQuery[]): string[] {
  return sqlitePlanFindings(engine, statements, (statement, names, plan) => {
    const found: string[] = [];
    for (const sort of plan.filter((row) => row.detail.startsWith('USE TEMP B-TREE FOR ORDER BY'))) {
      for (const sibling of plan.filter((row) => row.parent === sort.parent)) {
        const table = /^(?:SCAN|SEARCH) (\S+)/.exec(sibling.detail)?.[1];
        if (!watched(table === undefined ? undefined : names.get(table.toLowerCase()))) continue;
        found.push(`sorted read (${sibling.detail}) in: ${statement.sql.replace(/\s+/g, ' ').trim()}`);
      }
    }
    return found;
  });
}

/**
 * SQLite: how many of the sendings `ids` the lease's statements can walk past, from their plans: for each read of
 * `sendings` through an index, those of `ids` the index holds (its partial WHERE), within the range read when the
 * read is a range up to now on `next_due_at_us`. A statement walking an index in turn order visits every sending it
 * holds before the ones it takes, so this is what the lease's cost grows with.
 */
function sqliteSendingsReachable(
  engine: Engine,
  statements: readonly ExecutedQuery[],
  ids: readonly number[],
  nowUs: number,
): string[] {
  return sqlitePlanFindings(engine, statements, (statement, names, plan, database) => {
    const found: string[] = [];
    for (const { detail } of plan) {
      const match = /^SEARCH (\S+) USING (?:COVERING )?INDEX (\S+)(?: \((.*)\))?/.exec(detail);
      if (!match?.[1] || !match[2] || names.get(match[1].toLowerCase()) !== 'sendings') continue;
      const index = database.prepare(`select sql from sqlite_master where type = 'index' and name = ?`).get(match[2]) as
        | { sql: string | null }
        | undefined;
      const partial = /\swhere\s(.*)$/is.exec(index?.sql ?? '')?.[1] ?? '1';
      const ranged = /next_due_at_us</.test(match[3] ?? '') ? `and next_due_at_us <= ${nowUs}` : '';
      const { n } = database
        .prepare(
          `select count(*) as n from sendings where id in (select value from json_each(?)) and (${partial}) ${ranged}`,
        )
        .get(JSON.stringify(ids)) as { n: number };
      if (n > 0) found.push(`${n} through ${detail} in: ${statement.sql.replace(/\s+/g, ' ').trim()}`);
    }
    return found;
  });
}

/**
 * No full scan of a growing table among `statements`, no sorted read on SQLite, and on PostgreSQL at most
 * `maxRowsRead` rows of growing tables read by any one of them.
 */
async function expectNoScanNorSort(engine: Engine, statements: readonly ExecutedQuery[], maxRowsRead: number) {
  expect.soft((await fullScansIn(engine, statements)).join('\n')).toBe('');
  if (engine.name === 'sqlite') expect(sqliteSortedReads(engine, statements)).toEqual([]);
  else expect(Math.max(...(await postgresRowsRead(engine, statements)))).toBeLessThanOrEqual(maxRowsRead);
}

/**
 * PostgreSQL: the rows each statement reads of growing tables, as its execution counts them (EXPLAIN ANALYZE, in a
 * transaction rolled back): what every scan of such a table returned or read and dropped, over all its loops.
 */
async function postgresRowsRead(engine: Engine, statements: readonly ExecutedQuery[]): Promise<number[]> {
  const client = new pg.Client({ connectionString: engine.url });
  await client.connect();
  try {
    const counts: number[] = [];
    for (const statement of statements) {
      await client.query('begin');
      try {
        const { rows } = await client.query<ExplainRows[number]>(
          `explain (analyze, format json) ${statement.sql}`,
          statement.parameters as unknown[],
        );
        let read = 0;
        for (const node of planNodes(rows)) {
          if (!watched(node['Relation Name'])) continue;
          const perLoop =
            (node['Actual Rows'] ?? 0) +
            (node['Rows Removed by Filter'] ?? 0) +
            (node['Rows Removed by Index Recheck'] ?? 0);
          read += perLoop * (node['Actual Loops'] ?? 1);
        }
        counts.push(read);
      } finally {
        await client.query('rollback');
      }
    }
    return counts;
  } finally {
    await client.end();
  }
}

describeEachEngine(
  'query plans of the per-request and per-lease paths',
  (engine) => {
    let api: ApiApp;
    let acme: ApiAccount;

    async function expectIndexed(work: () => Promise<unknown>): Promise<void> {
      const statements = await captured(work);
      expect(statements.length).toBeGreaterThan(0);
      expect.soft((await fullScansIn(engine, statements)).join('\n')).toBe('');
    }

    /** A lease of up to `limit` messages now, with the sendings it took from (ascending) and its statements. */
    async function observedLease(workerId: string, limit: number): Promise<ObservedLease> {
      let sendingIds: number[] = [];
      let nowUs = 0;
      const statements = await captured(async () => {
        nowUs = engine.db.nowUs();
        const lease = await leaseDueMessages(engine.db, { workerId, nowUs, leaseUs: LEASE_US, limit }, SANDBOX_ONLY);
        sendingIds = lease.messages.map((m) => m.sendingId);
      });
      return { sendingIds: sendingIds.sort((a, b) => a - b), nowUs, statements };
    }

    /**
     * The lease walked none of the sendings `passedOver` (SQLite: from its plans; PostgreSQL: a few rows for each
     * sending it looks at, nowhere near their thousands), and read no growing table whole.
     */
    async function expectNoneWalked(lease: ObservedLease, passedOver: readonly number[]): Promise<void> {
      expect.soft((await fullScansIn(engine, lease.statements)).join('\n')).toBe('');
      if (engine.name === 'sqlite') {
        expect(sqliteSortedReads(engine, lease.statements)).toEqual([]);
        expect(sqliteSendingsReachable(engine, lease.statements, passedOver, lease.nowUs)).toEqual([]);
      } else {
        const read = await postgresRowsRead(engine, lease.statements);
        expect(Math.max(...read)).toBeLessThanOrEqual(10 * BACKLOG_LEASE);
      }
    }

    // A history around the paths' own rows, so that the planner (PostgreSQL's with statistics) sees tables that grew.
    beforeAll(async () => {
      await growTables(engine.db, { messages: GROWN_MESSAGES, sendings: 400, accounts: 40 });
    });

    afterAll(async () => {
      await api?.close();
    });

    const inject = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
      const res = await api.app.inject({
        method,
        url,
        headers: acme.headers,
        ...(payload !== undefined && { payload }),
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };

    it('names a statement that reads a growing table whole', async () => {
      const placeholder = engine.name === 'postgres' ? '$1' : '?';
      const found = await fullScansIn(engine, [
        { sql: `select id from messages where destination = ${placeholder}`, parameters: ['Latvia'] },
        { sql: `select id from messages where sending_id = ${placeholder}`, parameters: [1] },
      ]);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^table read of messages \(.*\) in: select id from messages where destination = /);
    });

    it('API: token check and balance, senders, rates, calculate, create, reads and cancel', async () => {
      api = await startApiApp(engine.db);
      acme = await api.account({ balance: '1000' });
      // The account's own rate card.
      const rates = await replaceRates(engine.db, acme.id, [
        { mcc: '247', mnc: '01', rateMinor: 4_000 },
        { mcc: '247', mnc: null, rateMinor: 4_500 },
      ]);
      expect(rates.ok).toBe(true);
      const body = { message: 'Your code is 1234', recipients: ['37126123456'], sender: acme.sender };
      // Warm: the rate card is built once per list version, the first time it is asked for.
      await inject('POST', '/sendings/calculate', body);
      await expectIndexed(() => inject('GET', '/balance'));
      await expectIndexed(() => inject('GET', '/senders'));
      await expectIndexed(() => inject('GET', '/rates'));
      await expectIndexed(() => inject('GET', '/rates?country=LV'));
      await expectIndexed(() => inject('POST', '/sendings/calculate', body));
      let sendingId = 0;
      await expectIndexed(async () => {
        sendingId = (await inject('POST', '/sendings', body)).sending_id;
      });
      const keyed = await captured(() =>
        api.app.inject({
          method: 'POST',
          url: '/sendings',
          headers: { ...acme.headers, 'idempotency-key': 'k-1' },
          payload: body,
        }),
      );
      const replayed = await captured(() =>
        api.app.inject({
          method: 'POST',
          url: '/sendings',
          headers: { ...acme.headers, 'idempotency-key': 'k-1' },
          payload: body,
        }),
      );
      expect.soft((await fullScansIn(engine, [...keyed, ...replayed])).join('\n')).toBe('');
      const keyedId = replayed.length > 0 ? (await inject('GET', '/sendings?per_page=1')).sendings[0].id : 0;
      await inject('POST', `/sendings/${keyedId}/cancel`);
      await expectIndexed(() => inject('GET', '/sendings'));
      await expectIndexed(() => inject('GET', '/sendings?page=2&per_page=5'));
      await expectIndexed(() => inject('GET', `/sendings/${sendingId}`));
      await expectIndexed(() => inject('GET', `/sendings/${sendingId}/messages`));
      await expectIndexed(() => inject('GET', `/sendings/${sendingId}/messages?status=queued&page=2&per_page=1`));
      await expectIndexed(() => inject('POST', `/sendings/${sendingId}/cancel`));
      // The opt-out list, and a sending with a recipient on it.
      const suppressed = { phone_numbers: ['37126123457', '37126123458'] };
      await expectIndexed(() => inject('POST', '/suppressions', suppressed));
      await expectIndexed(() => inject('GET', '/suppressions'));
      await expectIndexed(() => inject('GET', '/suppressions?search=3712612345&per_page=5'));
      await expectIndexed(() => inject('GET', '/suppressions/37126123457'));
      const withSuppressed = { ...body, recipients: ['37126123456', '37126123457'] };
      await expectIndexed(() => inject('POST', '/sendings/calculate', withSuppressed));
      let suppressedSendingId = 0;
      await expectIndexed(async () => {
        suppressedSendingId = (await inject('POST', '/sendings', withSuppressed)).sending_id;
      });
      // Out of the way of the dispatch paths below.
      await inject('POST', `/sendings/${suppressedSendingId}/cancel`);
      await expectIndexed(() => inject('DELETE', '/suppressions/37126123458'));
      // Entries of one sender: added, found, and matched against a sending from it, by the same index.
      await expectIndexed(() => inject('POST', '/suppressions', { ...suppressed, sender: body.sender }));
      await expectIndexed(() => inject('GET', `/suppressions/37126123457?sender=${body.sender}`));
      await expectIndexed(() => inject('POST', '/sendings/calculate', withSuppressed));
      await expectIndexed(() => inject('DELETE', `/suppressions/37126123458?sender=${body.sender}`));
      // Spend limits: the day's and month's reservations and refunds of the account are summed by index.
      await changeSpendLimits(engine.db, acme.id, { dailyMinor: 100_000_000, monthlyMinor: 200_000_000 });
      let limitedId = 0;
      const limitedStatements = await captured(async () => {
        limitedId = (await inject('POST', '/sendings', body)).sending_id;
      });
      expect(limitedStatements.some((s) => /sum\(amount_minor\)/.test(s.sql))).toBe(true);
      expect.soft((await fullScansIn(engine, limitedStatements)).join('\n')).toBe('');
      await inject('POST', `/sendings/${limitedId}/cancel`);
      await changeSpendLimits(engine.db, acme.id, { dailyMinor: null, monthlyMinor: null });
      // Numbers, and a message received on one (a STOP: the opt-out list changes too).
      await assignNumber(engine.db, acme.id, '37126100000', null);
      await assignNumber(engine.db, acme.id, '1881', 'PLAN');
      const received = { provider: 'smpp', from: '37126123459', to: '37126100000', receivedAtUs: 1_000 };
      await expectIndexed(() =>
        receiveInbound(engine.db, { ...received, providerMessageId: 'plan-1', text: 'STOP' }, () => {}),
      );
      await expectIndexed(() =>
        receiveInbound(engine.db, { ...received, to: '1881', providerMessageId: 'plan-2', text: 'plan b' }, () => {}),
      );
      await expectIndexed(() => inject('GET', '/numbers'));
      await expectIndexed(() => inject('GET', '/inbound'));
      await expectIndexed(() => inject('GET', '/inbound?number=37126100000&from=1970-01-01T00:00:00Z&per_page=5'));
      // A token that matches nothing.
      const unknown = await captured(() =>
        api.app.inject({ method: 'GET', url: '/balance', headers: { authorization: 'Bearer nope' } }),
      );
      expect.soft((await fullScansIn(engine, unknown)).join('\n')).toBe('');
    });

    it('dispatch: lease, outcomes and their settlement, take-over, report polls', async () => {
      const accountId = acme.id;
      const created = await createSending(
        engine.db,
        sendingTo(
          accountId,
          Array.from({ length: 6 }, (_, i) => numberEndingWith('0009', i)),
          { callbackUrl: 'https://example.test/cb' },
        ),
      );
      if (!created.ok) throw new Error(created.reason);
      const nowUs = engine.db.nowUs();
      let leased: Awaited<ReturnType<typeof leaseDueMessages>> | undefined;
      await expectIndexed(async () => {
        leased = await leaseDueMessages(
          engine.db,
          { workerId: 'w1', nowUs, leaseUs: LEASE_US, limit: 100 },
          SANDBOX_ONLY,
        );
      });
      const messages = leased?.messages ?? [];
      expect(messages.length).toBe(6);
      const [a, b, c, d, e, f] = messages.map((m) => m.id) as [number, number, number, number, number, number];
      // Every kind of outcome, then the last ones, which settle the sending.
      await expectIndexed(() =>
        recordOutcomes(
          engine.db,
          { workerId: 'w1', nowUs },
          {
            accepted: [
              { id: a, providerMessageId: 'pm-a', nextPollAtUs: nowUs },
              { id: b, providerMessageId: 'pm-b', nextPollAtUs: nowUs },
            ],
            retry: [{ id: c, nextAttemptAtUs: nowUs, error: 'busy' }],
            released: [d],
          },
        ),
      );
      // An expired lease taken over by another worker.
      await expectIndexed(() =>
        takeOverExpiredLeases(engine.db, {
          workerId: 'w2',
          nowUs: nowUs + 2 * LEASE_US,
          leaseUs: LEASE_US,
          limit: 100,
        }),
      );
      const again = await leaseDueMessages(
        engine.db,
        { workerId: 'w1', nowUs: nowUs + 2 * LEASE_US, leaseUs: LEASE_US, limit: 100 },
        SANDBOX_ONLY,
      );
      expect(again.messages.map((m) => m.id).sort()).toEqual([c, d].sort());
      await expectIndexed(() =>
        recordOutcomes(
          engine.db,
          { workerId: 'w2', nowUs: nowUs + 2 * LEASE_US },
          {
            final: [
              { id: e, status: 'failed', error: 'no route' },
              { id: f, status: 'rejected', error: 'refused', partsTaken: 1, providerMessageId: 'pm-f' },
            ],
          },
        ),
      );
      await expectIndexed(() =>
        recordOutcomes(
          engine.db,
          { workerId: 'w1', nowUs: nowUs + 2 * LEASE_US },
          {
            accepted: [{ id: c, providerMessageId: 'pm-c', nextPollAtUs: nowUs }],
            final: [{ id: d, status: 'failed', error: 'no route' }],
          },
        ),
      );
      await expectIndexed(() =>
        lookAtAwaitingReports(
          engine.db,
          { provider: 'sandbox', nowUs: nowUs + 3 * LEASE_US, nextPollAtUs: () => nowUs + 4 * LEASE_US, limit: 10 },
          async (due) =>
            due.slice(0, 1).map((m) => ({ messageId: m.id, status: 'delivered', error: null, atUs: nowUs })),
        ),
      );
    });

    it('delivery reports, kept reports and their sweep', async () => {
      const nowUs = engine.db.nowUs();
      await expectIndexed(() =>
        applyReports(engine.db, nowUs, [
          { provider: 'sandbox', providerMessageId: 'pm-b', status: 'delivered' },
          { provider: 'sandbox', providerMessageId: 'pm-c', status: 'submitted', providerStatus: 'sent' },
          // Not stored (yet): kept for later.
          { provider: 'sandbox', providerMessageId: 'pm-unknown', status: 'delivered' },
        ]),
      );
      await expectIndexed(() => sweepKeptReports(engine.db, nowUs + LEASE_US, { keepUs: 1, limit: 100 }));
    });

    it('callbacks: claim and results', async () => {
      const nowUs = engine.db.nowUs() + 10 * LEASE_US;
      let ids: number[] = [];
      await expectIndexed(async () => {
        ids = (await claimCallbacks(engine.db, { nowUs, limit: 100, claimUs: LEASE_US })).map((d) => d.id);
      });
      expect(ids.length).toBeGreaterThan(1);
      const [first, ...rest] = ids as [number, ...number[]];
      await expectIndexed(() =>
        recordCallbackResults(engine.db, nowUs, [
          { id: first, delivered: true },
          ...rest.map((id) => ({ id, delivered: false as const, error: 'HTTP 500', retryAtUs: nowUs + LEASE_US })),
        ]),
      );
    });

    it('cancel, and the end of an interrupted cancel', async () => {
      const created = await createSending(
        engine.db,
        sendingTo(
          acme.id,
          Array.from({ length: 5 }, (_, i) => numberEndingWith('0001', i)),
          { scheduledAtUs: engine.db.nowUs() + 3_600_000_000 },
        ),
      );
      if (!created.ok) throw new Error(created.reason);
      await expectIndexed(() => cancelSending(engine.db, created.sending.id, acme.id));
      // As a process that died after the refund leaves it: Cancelled, some messages still queued.
      await engine.db.kysely
        .updateTable('messages')
        .set({ status: 'queued', final_at_us: null })
        .where('sending_id', '=', created.sending.id)
        .execute();
      let ended = 0;
      await expectIndexed(async () => {
        ended = await finishInterruptedCancels(engine.db);
      });
      expect(ended).toBe(5);
    });

    it('dashboard: login, session check, campaigns, recipients, transactions', async () => {
      const email = `owner-${engine.name}@example.test`;
      let userId = 0;
      await expectIndexed(async () => {
        const created = await createCustomer(engine.db, {
          email,
          passwordHash: 'not-a-hash',
          company: 'Grown',
          currency: 'GBP',
        });
        if (!created.ok) throw new Error(created.reason);
        userId = created.user.id;
      });
      await expectIndexed(async () => {
        const claim = await claimLoginAttempt(engine.db, foldEmail(email), '192.0.2.7');
        await findUserByEmail(engine.db, email);
        if (claim.ok) await loginSucceeded(engine.db, claim.attemptId, foldEmail(email), '192.0.2.7');
      });
      let sessionId = '';
      await expectIndexed(async () => {
        sessionId = (await createSession(engine.db, userId)).sessionId;
      });
      await expectIndexed(() => findSession(engine.db, sessionId));
      await expectIndexed(() => listCampaigns(engine.db, acme.id, { page: 1, perPage: 20 }));
      await expectIndexed(() => listCampaigns(engine.db, acme.id, { page: 1, perPage: 20, status: 'Completed' }));
      const [campaign] = (await listCampaigns(engine.db, acme.id, { page: 1, perPage: 1 })).rows;
      if (!campaign) throw new Error('no campaign');
      await expectIndexed(() => getCampaign(engine.db, acme.id, campaign.sending.id));
      await expectIndexed(() => listRecipients(engine.db, acme.id, campaign.sending.id, { page: 1, perPage: 20 }));
      await expectIndexed(() =>
        listRecipients(engine.db, acme.id, campaign.sending.id, {
          page: 1,
          perPage: 20,
          status: 'cancelled',
          search: '371',
        }),
      );
      await expectIndexed(() => listTransactions(engine.db, acme.id, { page: 1, perPage: 20, perPageMax: 100 }));
      await expectIndexed(() =>
        listTransactions(engine.db, acme.id, { page: 1, perPage: 20, kind: 'refund', perPageMax: 100 }),
      );
      // The inbox: conversations, and one number's messages both ways (one that received sendings, one that wrote).
      await expectIndexed(() => listConversations(engine.db, acme.id, { page: 1, perPage: 20 }));
      await expectIndexed(() => listConversations(engine.db, acme.id, { page: 1, perPage: 20, prefix: '3712612' }));
      await expectIndexed(() => lastNumberWrittenTo(engine.db, acme.id, '37126123459'));
      await expectIndexed(() => conversationMessages(engine.db, acme.id, '37126123459', 100));
      await expectIndexed(() => conversationMessages(engine.db, acme.id, numberEndingWith('0009', 0), 100));
    });

    it('validity: the sweep of sendings past it and their queued messages', async () => {
      const created = await createSending(engine.db, {
        ...sendingTo(
          acme.id,
          Array.from({ length: 5 }, (_, i) => numberEndingWith('0002', i)),
        ),
        validityMinutes: 1,
      });
      if (!created.ok) throw new Error(created.reason);
      let ended = 0;
      // Nothing due: one read of the index of open sendings with a validity.
      await expectIndexed(() => expireOverdueMessages(engine.db, engine.db.nowUs()));
      await expectIndexed(async () => {
        ended = await expireOverdueMessages(engine.db, engine.db.nowUs() + 120_000_000, { sendingsMax: 10, batch: 2 });
      });
      expect(ended).toBe(5);
    });

    it('maintenance: pruning finished rows', async () => {
      await expectIndexed(() => pruneFinishedRows(engine.db, { beforeUs: engine.db.nowUs(), limit: 100 }));
    });

    it('maintenance: the sweep of keyword answers still owed', async () => {
      await expectIndexed(() => owedKeywordReplies(engine.db, engine.db.nowUs(), 100));
    });

    // PostgreSQL plans on the statistics of the last ANALYZE: taken after the backlog was stored, or before it (a
    // platform whose traffic grew since autovacuum last looked: tables grow faster than it analyses them).
    for (const analysed of ['after', 'before'] as const) {
      it(`lease: among a backlog of one-recipient sendings, due and scheduled, reads about its batch (statistics taken ${analysed} it)`, async () => {
        const accountId = await fundedAccount(engine.db, 1_000_000, `backlog ${analysed}`);
        const template = await createSending(
          engine.db,
          sendingTo(accountId, [numberEndingWith('0003', 0)], { scheduledAtUs: FUTURE_US }),
        );
        if (!template.ok) throw new Error(template.reason);
        if (engine.name === 'postgres' && analysed !== 'after') {
          // Analysed while none was queued (a backlog that had just drained): the planner expects none.
          await sql`analyze`.execute(engine.db.kysely);
        }
        await storeCopiesOf(engine.db, template.sending.id, BACKLOG, engine.db.nowUs());
        // And as many scheduled for later, which a lease must not walk either.
        await storeCopiesOf(engine.db, template.sending.id, BACKLOG, FUTURE_US);
        if (engine.name === 'postgres' && analysed === 'after') await sql`analyze`.execute(engine.db.kysely);
        const lease = () =>
          leaseDueMessages(
            engine.db,
            { workerId: 'w-backlog', nowUs: engine.db.nowUs(), leaseUs: LEASE_US, limit: BACKLOG_LEASE },
            SANDBOX_ONLY,
          );
        // Warm: the first lease of the backlog; the second is the one looked at.
        expect((await lease()).messages).toHaveLength(BACKLOG_LEASE);
        let leased = 0;
        const statements = await captured(async () => {
          leased = (await lease()).messages.length;
        });
        expect(leased).toBe(BACKLOG_LEASE);
        // On PostgreSQL a few rows for each message leased (its sending, the probe for a due message, the message itself,
        // the writes): nowhere near the backlog's thousands.
        await expectNoScanNorSort(engine, statements, 10 * BACKLOG_LEASE);
        // The rest of the backlog out of the way of what comes after: handed over, so their sendings settle.
        for (;;) {
          const { messages } = await lease();
          if (messages.length === 0) break;
          await recordOutcomes(
            engine.db,
            { workerId: 'w-backlog', nowUs: engine.db.nowUs() },
            {
              accepted: messages.map((m) => ({
                id: m.id,
                providerMessageId: `backlog-${m.id}`,
                nextPollAtUs: FUTURE_US,
              })),
            },
          );
        }
      });
    }

    // A provider's outage: every one-time code refused and queued again for a retry later, thousands of them, while
    // a few new ones are due. A lease must not walk the waiting ones to find the due ones.
    it('lease: among thousands of one-recipient sendings waiting for a retry, reads about the due ones it takes', async () => {
      const accountId = await fundedAccount(engine.db, 1_000_000, 'outage');
      const template = await createSending(
        engine.db,
        sendingTo(accountId, [numberEndingWith('0004', 0)], { scheduledAtUs: FUTURE_US }),
      );
      if (!template.ok) throw new Error(template.reason);
      const firstId = template.sending.id + 1;
      await storeCopiesOf(engine.db, template.sending.id, BACKLOG, engine.db.nowUs());
      const retryAtUs = engine.db.nowUs() + 3_600_000_000;
      const waitingIds: number[] = [];
      for (;;) {
        const nowUs = engine.db.nowUs();
        const { messages } = await leaseDueMessages(
          engine.db,
          { workerId: 'w-outage', nowUs, leaseUs: LEASE_US, limit: 500 },
          SANDBOX_ONLY,
        );
        if (messages.length === 0) break;
        await recordOutcomes(
          engine.db,
          { workerId: 'w-outage', nowUs },
          { retry: messages.map((m) => ({ id: m.id, nextAttemptAtUs: retryAtUs, error: 'provider unavailable' })) },
        );
        waitingIds.push(...messages.map((m) => m.sendingId));
      }
      expect(waitingIds).toHaveLength(BACKLOG);
      expect(Math.min(...waitingIds)).toBe(firstId);
      // A few new codes, due now.
      const dueFirst = firstId + BACKLOG;
      await storeCopiesOf(engine.db, template.sending.id, BACKLOG_LEASE, engine.db.nowUs());
      if (engine.name === 'postgres') await sql`analyze`.execute(engine.db.kysely);
      const lease = await observedLease('w-outage', 2 * BACKLOG_LEASE);
      // Exactly the due ones, none of the waiting ones.
      expect(lease.sendingIds).toEqual(Array.from({ length: BACKLOG_LEASE }, (_, i) => dueFirst + i));
      await expectNoneWalked(lease, waitingIds);
      // Their retries due: a lease wakes the waiting ones due longest ago and takes them, through indexes.
      let retried = 0;
      await expectIndexed(async () => {
        const lease = await leaseDueMessages(
          engine.db,
          { workerId: 'w-outage', nowUs: retryAtUs, leaseUs: LEASE_US, limit: BACKLOG_LEASE },
          SANDBOX_ONLY,
        );
        retried = lease.messages.filter((m) => m.attempt === 2).length;
      });
      expect(retried).toBe(BACKLOG_LEASE);
    });

    // Notifications stored overnight with a daytime send window: thousands held until it opens, while a few others are
    // due. A lease must not walk the held ones to find the due ones, and takes them once their window has opened.
    it('lease: among thousands of one-recipient sendings held for their send window, reads about the due ones it takes', async () => {
      const accountId = await fundedAccount(engine.db, 1_000_000, 'window');
      // A window of an hour (UTC) opening in ten minutes or so: before the retries of the tests above come due.
      const minuteUs = 60_000_000;
      const openingUs = Math.ceil((engine.db.nowUs() + 10 * minuteUs) / minuteUs) * minuteUs;
      const hhmm = (us: number) => new Date(us / 1000).toISOString().slice(11, 16);
      const held = await createSending(engine.db, {
        ...sendingTo(accountId, [numberEndingWith('0005', 0)]),
        sendWindow: {
          text: `${hhmm(openingUs)}-${hhmm(openingUs + 60 * minuteUs)}`,
          countryIds: [1],
          zoneOfCountry: () => 'UTC',
        },
      });
      if (!held.ok) throw new Error(held.reason);
      await storeCopiesOf(engine.db, held.sending.id, BACKLOG, engine.db.nowUs());
      const heldIds = Array.from({ length: BACKLOG + 1 }, (_, i) => held.sending.id + i);
      const due = await createSending(
        engine.db,
        sendingTo(accountId, [numberEndingWith('0006', 0)], { scheduledAtUs: FUTURE_US }),
      );
      if (!due.ok) throw new Error(due.reason);
      await storeCopiesOf(engine.db, due.sending.id, BACKLOG_LEASE, engine.db.nowUs());
      if (engine.name === 'postgres') await sql`analyze`.execute(engine.db.kysely);
      const lease = await observedLease('w-window', 2 * BACKLOG_LEASE);
      // Exactly the due ones, none of those held.
      expect(lease.sendingIds).toEqual(Array.from({ length: BACKLOG_LEASE }, (_, i) => due.sending.id + 1 + i));
      await expectNoneWalked(lease, heldIds);
      const leaseAt = (nowUs: number, limit: number) =>
        leaseDueMessages(engine.db, { workerId: 'w-window', nowUs, leaseUs: LEASE_US, limit }, SANDBOX_ONLY);
      // Not a minute early.
      const early = await leaseAt(openingUs - minuteUs, BACKLOG_LEASE);
      expect(early.messages.filter((m) => heldIds.includes(m.sendingId))).toEqual([]);
      // The window open: a lease wakes those held and takes them, through indexes.
      let opened: number[] = [];
      await expectIndexed(async () => {
        opened = (await leaseAt(openingUs, BACKLOG_LEASE)).messages.map((m) => m.sendingId);
      });
      expect(opened).toEqual(heldIds.slice(0, BACKLOG_LEASE));
      // And the next leases all the others, out of the way of the tests below.
      const rest = new Set(heldIds.slice(BACKLOG_LEASE));
      for (;;) {
        const { messages } = await leaseAt(openingUs, 500);
        if (messages.length === 0) break;
        for (const message of messages) rest.delete(message.sendingId);
        await recordOutcomes(
          engine.db,
          { workerId: 'w-window', nowUs: openingUs },
          { accepted: messages.map((m) => ({ id: m.id, providerMessageId: `w-${m.id}`, nextPollAtUs: FUTURE_US })) },
        );
      }
      expect(rest.size).toBe(0);
    });

    // A large sending during an outage: the messages leased first wait for a retry, the rest are due. A lease of it
    // must not walk the waiting ones to find the due ones.
    it('lease: of a large sending whose first messages wait for a retry, reads about the due ones it takes', async () => {
      const accountId = await fundedAccount(engine.db, 100_000_000, 'outage large');
      const large = await createSending(
        engine.db,
        sendingTo(
          accountId,
          Array.from({ length: LARGE_WAITING + LARGE_DUE }, (_, i) => numberEndingWith('0005', i)),
        ),
      );
      if (!large.ok) throw new Error(large.reason);
      const retryAtUs = engine.db.nowUs() + 3_600_000_000;
      let waiting = 0;
      while (waiting < LARGE_WAITING) {
        const nowUs = engine.db.nowUs();
        const { messages } = await leaseDueMessages(
          engine.db,
          { workerId: 'w-large', nowUs, leaseUs: LEASE_US, limit: Math.min(500, LARGE_WAITING - waiting) },
          SANDBOX_ONLY,
        );
        expect(messages.length).toBeGreaterThan(0);
        await recordOutcomes(
          engine.db,
          { workerId: 'w-large', nowUs },
          { retry: messages.map((m) => ({ id: m.id, nextAttemptAtUs: retryAtUs, error: 'provider unavailable' })) },
        );
        waiting += messages.length;
      }
      if (engine.name === 'postgres') await sql`analyze`.execute(engine.db.kysely);
      let leased: { sendingId: number; attempt: number }[] = [];
      const statements = await captured(async () => {
        const lease = await leaseDueMessages(
          engine.db,
          { workerId: 'w-large', nowUs: engine.db.nowUs(), leaseUs: LEASE_US, limit: BACKLOG_LEASE },
          SANDBOX_ONLY,
        );
        leased = lease.messages.map((m) => ({ sendingId: m.sendingId, attempt: m.attempt }));
      });
      expect(leased).toEqual(
        Array.from({ length: BACKLOG_LEASE }, () => ({ sendingId: large.sending.id, attempt: 1 })),
      );
      // On PostgreSQL the probe and the pick start at the sending's first due message, past none of the waiting ones.
      await expectNoScanNorSort(engine, statements, 10 * BACKLOG_LEASE);
    });
  },
  { dbOptions: { onQuery } },
);
