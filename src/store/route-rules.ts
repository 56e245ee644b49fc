// The operator's route table: ordered rules, the default one last, and a version that moves on every change.
import { type Kysely, sql, type Transaction } from 'kysely';
import {
  type CompiledRoutes,
  compileRoutes,
  LOSS_POLICIES,
  type LossPolicy,
  ROUTE_STRATEGIES,
  type RouteAction,
  type RouteMatch,
  type RouteRule,
  type RouteStrategy,
  routeRuleProblem,
  SENDER_KINDS,
  type SenderKind,
} from '../domain/routing.js';
import { isSendingType, type SendingType } from '../domain/sending.js';
import type { Db } from './db.js';
import { preparedRead } from './prepared-reads.js';
import type { Schema } from './schema.js';
import { intFrom, intOrNull } from './values.js';

/** A rule as written: what it matches and what it does. */
export type RouteRuleFields = RouteMatch & RouteAction;

export type RouteRuleChange =
  | { readonly ok: true; readonly rule: RouteRule }
  | { readonly ok: false; readonly reason: 'not-found' | 'default-rule' | 'invalid'; readonly problem: string };

interface RuleRow {
  id: number | string;
  position: number;
  is_default: number;
  mcc: string | null;
  mnc: string | null;
  prefix: string | null;
  account_id: number | string | null;
  sending_type: string | null;
  sender_kind: string | null;
  strategy: string;
  providers: string;
  min_delivery_ppm: number | null;
  max_latency_ms: number | string | null;
  min_reports: number | null;
  loss_policy: string;
}

const COLUMNS = [
  'id',
  'position',
  'is_default',
  'mcc',
  'mnc',
  'prefix',
  'account_id',
  'sending_type',
  'sender_kind',
  'strategy',
  'providers',
  'min_delivery_ppm',
  'max_latency_ms',
  'min_reports',
  'loss_policy',
] as const;

function oneOf<T extends string>(values: readonly T[], value: string, what: string): T {
  const found = values.find((v) => v === value);
  if (found === undefined) throw new Error(`route rule has unknown ${what} ${value}`);
  return found;
}

function ruleFrom(row: RuleRow): RouteRule {
  const type: SendingType | null = row.sending_type === null ? null : (row.sending_type as SendingType);
  if (type !== null && !isSendingType(type)) throw new Error(`route rule has unknown sending type ${type}`);
  return {
    id: intFrom(row.id),
    position: row.position,
    isDefault: Number(row.is_default) === 1,
    mcc: row.mcc,
    mnc: row.mnc,
    prefix: row.prefix,
    accountId: intOrNull(row.account_id),
    sendingType: type,
    senderKind: row.sender_kind === null ? null : oneOf<SenderKind>(SENDER_KINDS, row.sender_kind, 'sender kind'),
    strategy: oneOf<RouteStrategy>(ROUTE_STRATEGIES, row.strategy, 'strategy'),
    providers: row.providers === '' ? [] : row.providers.split(','),
    quality: {
      minDeliveryPpm: row.min_delivery_ppm,
      maxLatencyMs: intOrNull(row.max_latency_ms),
      minReports: row.min_reports,
    },
    loss: oneOf<LossPolicy>(LOSS_POLICIES, row.loss_policy, 'loss policy'),
  };
}

function columnsOf(fields: RouteRuleFields) {
  return {
    mcc: fields.mcc,
    mnc: fields.mnc,
    prefix: fields.prefix,
    account_id: fields.accountId,
    sending_type: fields.sendingType,
    sender_kind: fields.senderKind,
    strategy: fields.strategy,
    providers: fields.providers.join(','),
    min_delivery_ppm: fields.quality.minDeliveryPpm,
    max_latency_ms: fields.quality.maxLatencyMs,
    min_reports: fields.quality.minReports,
    loss_policy: fields.loss,
  };
}

async function readRules(kysely: Kysely<Schema>): Promise<RouteRule[]> {
  const rows = await kysely
    .selectFrom('route_rules')
    .select(COLUMNS)
    .orderBy('is_default')
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map(ruleFrom);
}

/** Every rule in order, the default last. */
export function listRouteRules(db: Db): Promise<RouteRule[]> {
  return readRules(db.kysely);
}

/** The route table's version as a scalar subquery: 0 without its row. */
export const ROUTE_TABLE_VERSION = sql<
  number | string
>`coalesce((select t.version from route_table t where t.id = 1), 0)`;

const readRouteTableVersion = preparedRead((db: Db) =>
  db.kysely.selectFrom('route_table').select('version').where('id', '=', 1).compile(),
);

/** The route table's version: it moves on every change of a rule (read on every sending: a prepared read). */
export async function routeTableVersion(db: Db): Promise<number> {
  const [row] = await readRouteTableVersion(db);
  return row === undefined ? 0 : intFrom(row.version);
}

/**
 * Moves the version on, first in every change: on PostgreSQL the row's lock also puts concurrent changes of the
 * table one after another, so positions stay a sequence.
 */
async function bumpVersion(trx: Transaction<Schema>): Promise<void> {
  await sql`update route_table set version = version + 1 where id = 1`.execute(trx);
}

async function ordinaryCount(trx: Transaction<Schema>): Promise<number> {
  const row = await trx
    .selectFrom('route_rules')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('is_default', '=', 0)
    .executeTakeFirstOrThrow();
  return intFrom(row.n);
}

async function accountProblem(trx: Transaction<Schema>, accountId: number | null): Promise<string | null> {
  if (accountId === null) return null;
  const found = await trx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
  return found === undefined ? `there is no account ${accountId}` : null;
}

async function ruleById(trx: Transaction<Schema>, id: number): Promise<RouteRule | null> {
  const row = await trx.selectFrom('route_rules').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : ruleFrom(row);
}

const NOT_FOUND = (id: number): RouteRuleChange => ({ ok: false, reason: 'not-found', problem: `no route rule ${id}` });

function clampPosition(position: number | undefined, count: number): number {
  if (position === undefined || !Number.isSafeInteger(position)) return count;
  return Math.min(Math.max(position, 1), count);
}

/** Adds a rule at `position` (from 1; default: last before the default rule), the rules from there moving down. */
export async function addRouteRule(db: Db, fields: RouteRuleFields, position?: number): Promise<RouteRuleChange> {
  const problem = routeRuleProblem(fields, fields);
  if (problem !== null) return { ok: false, reason: 'invalid', problem };
  return db.transaction(async (trx) => {
    await bumpVersion(trx);
    const missing = await accountProblem(trx, fields.accountId);
    if (missing !== null) return { ok: false, reason: 'invalid', problem: missing };
    const at = clampPosition(position, (await ordinaryCount(trx)) + 1);
    await sql`update route_rules set position = position + 1 where is_default = 0 and position >= ${at}`.execute(trx);
    const nowUs = db.nowUs();
    const row = await trx
      .insertInto('route_rules')
      .values({ ...columnsOf(fields), position: at, is_default: 0, created_at_us: nowUs, updated_at_us: nowUs })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { ok: true, rule: ruleFrom(row) };
  });
}

/**
 * Rewrites a rule's fields (not its place). The default rule keeps matching everything: only its strategy,
 * providers, thresholds and loss policy change.
 */
export async function updateRouteRule(db: Db, id: number, fields: RouteRuleFields): Promise<RouteRuleChange> {
  return db.transaction(async (trx) => {
    const existing = await ruleById(trx, id);
    if (existing === null) return NOT_FOUND(id);
    const match: RouteMatch = existing.isDefault ? existing : fields;
    const written: RouteRuleFields = { ...fields, ...pickMatch(match) };
    const problem = routeRuleProblem(written, written, existing.isDefault);
    if (problem !== null) return { ok: false, reason: 'invalid', problem };
    await bumpVersion(trx);
    const missing = await accountProblem(trx, written.accountId);
    if (missing !== null) return { ok: false, reason: 'invalid', problem: missing };
    const row = await trx
      .updateTable('route_rules')
      .set({ ...columnsOf(written), updated_at_us: db.nowUs() })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { ok: true, rule: ruleFrom(row) };
  });
}

function pickMatch(match: RouteMatch): RouteMatch {
  return {
    mcc: match.mcc,
    mnc: match.mnc,
    prefix: match.prefix,
    accountId: match.accountId,
    sendingType: match.sendingType,
    senderKind: match.senderKind,
  };
}

/** Removes a rule (never the default one); the rules after it move up. */
export async function removeRouteRule(db: Db, id: number): Promise<RouteRuleChange> {
  return db.transaction(async (trx) => {
    const existing = await ruleById(trx, id);
    if (existing === null) return NOT_FOUND(id);
    if (existing.isDefault) return { ok: false, reason: 'default-rule', problem: 'the default rule cannot be removed' };
    await bumpVersion(trx);
    await trx.deleteFrom('route_rules').where('id', '=', id).execute();
    await sql`update route_rules set position = position - 1
      where is_default = 0 and position > ${existing.position}`.execute(trx);
    return { ok: true, rule: existing };
  });
}

/** Moves a rule to `position` (from 1, at most the number of rules; the default rule stays last). */
export async function moveRouteRule(db: Db, id: number, position: number): Promise<RouteRuleChange> {
  return db.transaction(async (trx) => {
    const existing = await ruleById(trx, id);
    if (existing === null) return NOT_FOUND(id);
    if (existing.isDefault) return { ok: false, reason: 'default-rule', problem: 'the default rule is always last' };
    await bumpVersion(trx);
    const to = clampPosition(position, await ordinaryCount(trx));
    const from = existing.position;
    if (to < from) {
      await sql`update route_rules set position = position + 1
        where is_default = 0 and position >= ${to} and position < ${from}`.execute(trx);
    } else if (to > from) {
      await sql`update route_rules set position = position - 1
        where is_default = 0 and position > ${from} and position <= ${to}`.execute(trx);
    }
    const row = await trx
      .updateTable('route_rules')
      .set({ position: to, updated_at_us: db.nowUs() })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { ok: true, rule: ruleFrom(row) };
  });
}

/** A compiled route table with the version it was read at. */
export interface VersionedRoutes {
  readonly version: number;
  readonly routes: CompiledRoutes;
}

const cache = new WeakMap<Db, VersionedRoutes>();

/**
 * The route table ready for the router: one cheap query for the version, and the rules read and compiled again only
 * when it moved since this process last read them (any process's change is seen on the next call). `versionRead`: the
 * version as a read of this request already found it (`ROUTE_TABLE_VERSION`), instead of reading it again.
 */
export async function readRouteTable(db: Db, versionRead?: number): Promise<VersionedRoutes> {
  const version = versionRead ?? (await routeTableVersion(db));
  const cached = cache.get(db);
  if (cached !== undefined && cached.version === version) return cached;
  const read = await db.transaction(
    async (trx) => {
      const row = await trx.selectFrom('route_table').select('version').where('id', '=', 1).executeTakeFirst();
      return { version: row === undefined ? 0 : intFrom(row.version), rules: await readRules(trx) };
    },
    { readOnly: true },
  );
  const fresh: VersionedRoutes = { version: read.version, routes: compileRoutes(read.rules) };
  cache.set(db, fresh);
  return fresh;
}
