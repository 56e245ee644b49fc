// PostgreSQL: the store's statements are prepared by name on their connection (parsed and planned once, not on
// every request), within bounds, and a prepared statement made stale by a migration costs one error, not a broken
// connection for ever.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import {
  isStalePreparedStatement,
  PREPARED_STATEMENT_PARAMETERS_MAX,
  PREPARED_STATEMENTS_PER_CONNECTION_MAX,
} from '../../src/store/db.js';
import { authenticate, createToken } from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

describeEachEngine('prepared statements', (engine) => {
  const postgresOnly = engine.name === 'postgres';

  it.runIf(postgresOnly)("names the token lookup on the session's connection", async () => {
    // One connection, so that pg_prepared_statements is read in the session that ran the lookup.
    const db = await engine.open({ poolMax: 1 });
    const accountId = await fundedAccount(db, 0);
    const { token } = await createToken(db, accountId);
    expect(await authenticate(db, token)).not.toBeNull();
    const prepared = () =>
      sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db.kysely);
    const before = (await prepared()).rows;
    const lookup = before.find((r) => r.statement.includes('token_sha256') && r.statement.includes('join'));
    expect(lookup?.name).toMatch(/^smsgic_/);
    // Again: the same prepared statement serves it, no other one appears.
    expect(await authenticate(db, token)).not.toBeNull();
    expect((await prepared()).rows).toEqual(before);
  });

  it.runIf(postgresOnly)(
    'prepares at most the bound per connection and never a statement of many parameters',
    async () => {
      const db = await engine.open({ poolMax: 1 });
      for (let i = 0; i < PREPARED_STATEMENTS_PER_CONNECTION_MAX + 20; i++) {
        await sql`select ${i}::int as n, ${sql.lit(i)} as distinct_text`.execute(db.kysely);
      }
      const many = Array.from({ length: PREPARED_STATEMENT_PARAMETERS_MAX + 1 }, (_, i) => sql`${i}::int`);
      await sql`select ${sql.join(many)}`.execute(db.kysely);
      const { rows } = await sql<{ n: string; wide: string }>`
      select count(*) as n, count(*) filter (where array_length(parameter_types, 1) > ${sql.lit(
        PREPARED_STATEMENT_PARAMETERS_MAX,
      )}) as wide from pg_prepared_statements`.execute(db.kysely);
      expect(Number(rows[0]?.n)).toBeLessThanOrEqual(PREPARED_STATEMENTS_PER_CONNECTION_MAX);
      expect(Number(rows[0]?.n)).toBeGreaterThan(0);
      expect(Number(rows[0]?.wide)).toBe(0);
    },
  );

  it.runIf(postgresOnly)('replaces a connection whose prepared statement a migration made stale', async () => {
    const db = await engine.open({ poolMax: 1 });
    await sql`create table prepared_probe (id int primary key)`.execute(db.kysely);
    await sql`insert into prepared_probe values (1)`.execute(db.kysely);
    const read = () => sql<{ id: number }>`select * from prepared_probe where id = ${1}`.execute(db.kysely);
    expect((await read()).rows).toEqual([{ id: 1 }]);
    // The result type of the prepared `select *` changes under it.
    await sql`alter table prepared_probe add column note text`.execute(db.kysely);
    const stale = await read().then(
      () => null,
      (error: unknown) => error,
    );
    // PostgreSQL refuses the stale plan once (0A000); the connection that held it is dropped, the next one works.
    expect(isStalePreparedStatement(stale)).toBe(true);
    expect((await read()).rows).toEqual([{ id: 1, note: null }]);
    expect((await read()).rows).toEqual([{ id: 1, note: null }]);
  });
});
