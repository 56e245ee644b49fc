// The sandbox provider's upstream record kept in a table, so every worker process on one database shares one sandbox.
import { sql } from 'kysely';
import type { Db } from './db.js';
import { listRelation } from './dispatch-sql.js';
import { intFrom } from './values.js';

/** One message as the sandbox upstream takes it: our reference, and the id and time the sandbox gives it. */
export interface SandboxHandOver {
  readonly reference: string;
  readonly providerMessageId: string;
  readonly recipient: string;
  readonly acceptedAtUs: number;
}

export interface SandboxRecord {
  readonly providerMessageId: string;
  readonly acceptedAtUs: number;
}

/** The sandbox's upstream state in the sandbox_submissions table (the sandbox adapter sees only this port). */
export interface TableSandboxUpstream {
  /**
   * Records the hand-overs; idempotent on the reference: one already taken keeps its first id and time (and its
   * `submit_calls` count goes up, which is how the tests see a message handed over twice).
   */
  accept(handOvers: readonly SandboxHandOver[]): Promise<Map<string, SandboxRecord>>;
  /** What the sandbox holds for these references; a reference it never took is absent from the map. */
  find(references: readonly string[]): Promise<Map<string, SandboxRecord>>;
  /** Every worker process writes here, so a reference absent from the table was never accepted. */
  readonly knowsEveryHandOver: true;
}

export function createTableSandboxUpstream(db: Db): TableSandboxUpstream {
  const recordsOf = (rows: { reference: string; provider_message_id: string; accepted_at_us: number | string }[]) =>
    new Map(
      rows.map((row) => [
        row.reference,
        { providerMessageId: row.provider_message_id, acceptedAtUs: intFrom(row.accepted_at_us) },
      ]),
    );
  return {
    knowsEveryHandOver: true,
    async accept(handOvers) {
      if (handOvers.length === 0) return new Map();
      const rows = listRelation(db.dialect, 'h', [
        { name: 'reference', kind: 'text', values: handOvers.map((h) => h.reference) },
        { name: 'pid', kind: 'text', values: handOvers.map((h) => h.providerMessageId) },
        { name: 'recipient', kind: 'text', values: handOvers.map((h) => h.recipient) },
        { name: 'accepted_at', kind: 'int8', values: handOvers.map((h) => h.acceptedAtUs) },
      ]);
      // `where true`: SQLite reads an upsert's ON CONFLICT after a bare SELECT … FROM as a join constraint otherwise.
      const { rows: stored } = await db.transaction((trx) =>
        sql<{ reference: string; provider_message_id: string; accepted_at_us: number | string }>`
            insert into sandbox_submissions (reference, provider_message_id, recipient, accepted_at_us)
            select h.reference, h.pid, h.recipient, h.accepted_at from ${rows} where true
            on conflict (reference) do update set submit_calls = sandbox_submissions.submit_calls + 1
            returning reference, provider_message_id, accepted_at_us`.execute(trx),
      );
      return recordsOf(stored);
    },
    async find(references) {
      if (references.length === 0) return new Map();
      const rows = await db.kysely
        .selectFrom('sandbox_submissions')
        .select(['reference', 'provider_message_id', 'accepted_at_us'])
        .where('reference', 'in', references)
        .execute();
      return recordsOf(rows);
    },
  };
}

export interface SandboxTotals {
  /** References the sandbox accepted. */
  readonly references: number;
  /** Submit calls over all of them (more than `references` when a reference was submitted twice). */
  readonly submitCalls: number;
  readonly maxCallsPerReference: number;
}

/** Hand-overs recorded by the table-backed sandbox (for the tests and the benchmark). */
export async function sandboxTotals(db: Db): Promise<SandboxTotals> {
  const row = await db.kysely
    .selectFrom('sandbox_submissions')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('references'),
      eb.fn.coalesce(eb.fn.sum<number | string>('submit_calls'), sql<number>`0`).as('calls'),
      eb.fn.coalesce(eb.fn.max<number | string>('submit_calls'), sql<number>`0`).as('max_calls'),
    ])
    .executeTakeFirstOrThrow();
  return {
    references: intFrom(row.references),
    submitCalls: intFrom(row.calls),
    maxCallsPerReference: intFrom(row.max_calls),
  };
}
