// Tenant isolation of the public API over real HTTP: another account's ids are 404 on every route that takes one (as if
// they did not exist), lists hold only the caller's rows whatever is smuggled in, tokens are stored only as hashes, and
// a token revoked or expired by another process is refused by running servers on the very next request.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemorySandboxUpstream } from '../../src/dispatch/providers/sandbox/upstream.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { parseMoney } from '../../src/domain/money.js';
import { getBalance } from '../../src/store/ledger.js';
import { replaceRates } from '../../src/store/rates.js';
import { US_PER_MS } from '../../src/store/time.js';
import { createToken, revokeToken } from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, openAccount, startApiApp } from '../support/http-app.js';
import { runCli, type ServerProcess, serverProcess } from './crash-harness.js';

interface Tenant {
  readonly name: string;
  readonly account: ApiAccount;
  /** Numbers only this tenant sends to: 3712 + tenant digit + …, so a foreign row is recognisable anywhere. */
  readonly prefix: string;
  /** Rates only this tenant's price list has (none for the one on the default list). */
  readonly ownRates: readonly number[];
  readonly sendings: number[];
  /** Of `sendings`, the ones scheduled far ahead: still Pending, so cancellable by their owner. */
  readonly pending: number[];
}

const ID_ROUTES = [
  { method: 'GET', path: (id: number) => `/sendings/${id}` },
  { method: 'GET', path: (id: number) => `/sendings/${id}/messages` },
  { method: 'POST', path: (id: number) => `/sendings/${id}/cancel` },
] as const;

describeEachEngine('tenant isolation of the public API', (engine) => {
  let api: ApiApp;
  let url = '';
  const tenants: Tenant[] = [];

  const call = async (account: ApiAccount | string, method: string, path: string, body?: object) => {
    const token = typeof account === 'string' ? account : account.token;
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    url = await api.listen();
    const specs = [
      { name: 'A', rates: ['0.1111', '0.1112'] },
      { name: 'B', rates: ['0.2222'] },
      { name: 'C', rates: [] },
    ];
    for (const [i, spec] of specs.entries()) {
      const account = await api.account({ balance: '1000', sender: `Shop${spec.name}` });
      if (spec.rates.length > 0) {
        const rows = spec.rates.map((rate, j) => ({
          mcc: '247',
          mnc: j === 0 ? null : '02',
          rateMinor: parseMoney(rate),
        }));
        const replaced = await replaceRates(engine.db, account.id, rows);
        if (!replaced.ok) throw new Error(replaced.reason);
      }
      tenants.push({
        name: spec.name,
        account,
        prefix: `3712${i + 1}`,
        ownRates: spec.rates.map(Number),
        sendings: [],
        pending: [],
      });
    }
    // Interleaved, so that every tenant's ids sit between the others'.
    for (let round = 0; round < 4; round++) {
      for (const tenant of tenants) {
        const pending = round % 2 === 1;
        const res = await call(tenant.account, 'POST', '/sendings', {
          message: `Round ${round} for ${tenant.name}`,
          recipients: [0, 1, 2].map((k) => `${tenant.prefix}${round}${k}0000`.slice(0, 11)),
          sender: `Shop${tenant.name}`,
          ...(pending && { scheduled_at: '2199-01-01 00:00:00' }),
        });
        if (res.status !== 200) throw new Error(JSON.stringify(res.body));
        const id = res.body.sending_id as number;
        tenant.sendings.push(id);
        if (pending) tenant.pending.push(id);
      }
    }
    // The due ones are dispatched through the sandbox, so that their messages have statuses, providers and costs.
    const router = createRouter(
      createRegistry({
        clockUs: () => engine.db.nowUs(),
        sandbox: { upstream: createMemorySandboxUpstream(), reportDelayMs: 0 },
      }),
    );
    await createDispatcher({ db: engine.db, router }).runUntilIdle();
  });
  afterAll(() => api.close());

  it("answers 404, not 403, to another account's id on every route that takes one, exactly as to no sending", async () => {
    const last = Math.max(...tenants.flatMap((t) => t.sendings));
    const balances = new Map<number, number | undefined>();
    for (const t of tenants) balances.set(t.account.id, await getBalance(engine.db, t.account.id));
    for (const caller of tenants) {
      for (const owner of tenants.filter((t) => t !== caller)) {
        for (const id of owner.sendings) {
          for (const route of ID_ROUTES) {
            const foreign = await call(caller.account, route.method, route.path(id));
            const missing = await call(caller.account, route.method, route.path(last + id));
            expect({ route: route.path(id), ...foreign }).toEqual({
              route: route.path(id),
              status: 404,
              body: { message: `No query results for model ${id}` },
            });
            expect(missing).toEqual({ status: 404, body: { message: `No query results for model ${last + id}` } });
          }
        }
      }
    }
    // The foreign cancels changed nothing: still Pending, nothing refunded, and their owners can still cancel them.
    for (const t of tenants) {
      expect(await getBalance(engine.db, t.account.id)).toBe(balances.get(t.account.id));
      for (const id of t.pending) {
        expect((await call(t.account, 'GET', `/sendings/${id}`)).body).toMatchObject({
          sending: { status: 'Pending' },
        });
      }
    }
    const [own] = tenants[0]?.pending ?? [];
    const cancelled = await call(tenants[0]?.account as ApiAccount, 'POST', `/sendings/${own}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { sending: { id: own, status: 'Cancelled' } } });
  });

  it("lists only the caller's own rows, page by page, whatever account a request names", async () => {
    for (const t of tenants) {
      const others = tenants.filter((o) => o !== t);
      // Sendings, one per page, and with another account's id smuggled into the query in every way there is.
      const seen: number[] = [];
      for (let page = 1; page <= t.sendings.length + 1; page++) {
        const res = await call(t.account, 'GET', `/sendings?per_page=1&page=${page}`);
        seen.push(...(res.body.sendings as { id: number }[]).map((s) => s.id));
      }
      expect(seen).toEqual([...t.sendings].reverse());
      for (const other of others) {
        for (const query of [
          `?account_id=${other.account.id}`,
          `?account[id]=${other.account.id}`,
          `?${encodeURIComponent(JSON.stringify({ account_id: other.account.id, accountId: other.account.id }))}`,
        ]) {
          const res = await call(t.account, 'GET', `/sendings${query}`);
          expect((res.body.sendings as { id: number }[]).map((s) => s.id)).toEqual([...t.sendings].reverse());
          const senders = await call(t.account, 'GET', `/senders${query}`);
          expect(senders.body).toEqual({
            senders: [
              { id: expect.any(Number), sender: `Shop${t.name}` },
              { id: expect.any(Number), sender: 'SMSgic', platform: true },
            ],
          });
        }
      }

      // Rates: its own list (or the default one), never a rate only another list has.
      const rates = (await call(t.account, 'GET', '/rates?mcc=247')).body.rates as { rate: number }[];
      for (const other of others)
        for (const rate of other.ownRates) expect(rates.map((r) => r.rate)).not.toContain(rate);
      if (t.ownRates.length > 0) expect(rates.map((r) => r.rate)).toEqual(t.ownRates);

      // Messages of each own sending: only its own recipients.
      for (const id of t.sendings) {
        const res = await call(t.account, 'GET', `/sendings/${id}/messages?per_page=1000`);
        const recipients = (res.body.messages as { recipient: string }[]).map((m) => m.recipient);
        expect(recipients).toHaveLength(3);
        for (const r of recipients) expect(r.startsWith(t.prefix)).toBe(true);
      }
    }
  });

  it('creates and charges a sending for the caller whatever account id its body names', async () => {
    const [a, b] = tenants as [Tenant, Tenant];
    const before = await getBalance(engine.db, b.account.id);
    const res = await call(a.account, 'POST', '/sendings', {
      message: 'Smuggled',
      recipients: [`${a.prefix}9990000`.slice(0, 11)],
      sender: `Shop${a.name}`,
      account_id: b.account.id,
      accountId: b.account.id,
    });
    expect(res.status).toBe(200);
    const row = await engine.db.kysely
      .selectFrom('sendings')
      .select('account_id')
      .where('id', '=', res.body.sending_id as number)
      .executeTakeFirstOrThrow();
    expect(Number(row.account_id)).toBe(a.account.id);
    expect(await getBalance(engine.db, b.account.id)).toBe(before);
    expect((await call(b.account, 'GET', `/sendings/${res.body.sending_id}`)).status).toBe(404);
  });

  it('stores tokens only as hashes: no column of any table holds a token', async () => {
    const tokens = tenants.map((t) => t.account.token);
    const rows = await engine.db.kysely.selectFrom('api_tokens').selectAll().execute();
    for (const token of tokens) {
      const row = rows.find((r) => r.token_sha256 === createHash('sha256').update(token).digest('hex'));
      expect(row).toBeDefined();
      // The display prefix is the fixed "smsgic_" and 7 of the 43 random characters, nothing more.
      expect(row?.prefix).toBe(token.slice(0, 14));
    }
    const tables =
      engine.name === 'postgres'
        ? await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(engine.db.kysely)
        : await sql<{ name: string }>`select name from sqlite_master
            where type = 'table' and name not like 'sqlite_%'`.execute(engine.db.kysely);
    expect(tables.rows.map((t) => t.name)).toContain('api_tokens');
    for (const { name } of tables.rows) {
      const { rows: content } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(
        engine.db.kysely,
      );
      const text = JSON.stringify(content);
      for (const token of tokens) {
        // The secret part: anything from its 8th random character on would be a leak.
        expect(text.includes(token.slice(14)), `${name} holds a token`).toBe(false);
      }
    }
  });

  it('refuses, on the very next request to running servers, a token another process revoked or expired', async () => {
    const servers: ServerProcess[] = [];
    try {
      const count = engine.name === 'postgres' ? 2 : 1;
      for (let i = 1; i <= count; i++) {
        servers.push(await serverProcess({ name: `api-${i}`, role: 'api', databaseUrl: engine.url }));
      }
      await Promise.all(servers.map((s) => s.start()));
      const owner = await openAccount(engine.db, { balance: '10', sender: 'ShopD' });
      const spare = await createToken(engine.db, owner.id);
      const balanceAt = async (server: ServerProcess, token: string) => {
        const res = await fetch(`${server.url}/balance`, { headers: { authorization: `Bearer ${token}` } });
        return { status: res.status, body: await res.json() };
      };
      const everywhere = async (token: string) => Promise.all(servers.map((s) => balanceAt(s, token)));
      const refused = { status: 401, body: { message: 'Unauthenticated.' } };
      const served = { status: 200, body: { balance: '10.000', sign: '£', code: 'GBP' } };

      // Revoked with the operator's command, a process of its own.
      expect(await everywhere(owner.token)).toEqual(servers.map(() => served));
      const revoked = await runCli(engine.url, ['token', 'revoke', String(owner.tokenId)]);
      expect({ code: revoked.code, json: revoked.json }).toEqual({ code: 0, json: { revoked: owner.tokenId } });
      expect(await everywhere(owner.token)).toEqual(servers.map(() => refused));
      const post = await fetch(`${servers[0]?.url}/sendings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Hi', recipients: ['37120000000'], sender: 'ShopD' }),
      });
      expect(post.status).toBe(401);
      // The account's other token is untouched.
      expect(await everywhere(spare.token)).toEqual(servers.map(() => served));

      // Revoked through another app on the same database (the dashboard's path): its own connection.
      const other = await engine.open();
      const result = await revokeToken(other, owner.id, spare.id);
      expect(result.ok).toBe(true);
      expect(await everywhere(spare.token)).toEqual(servers.map(() => refused));

      // Expired: one whose expiry another process moves to the past, and one that was created expired.
      const hour = 3_600_000 * US_PER_MS;
      const expiring = await createToken(other, owner.id, { expiresAtUs: other.nowUs() + hour });
      expect(await everywhere(expiring.token)).toEqual(servers.map(() => served));
      await other.kysely
        .updateTable('api_tokens')
        .set({ expires_at_us: other.nowUs() - 1 })
        .where('id', '=', expiring.id)
        .execute();
      expect(await everywhere(expiring.token)).toEqual(servers.map(() => refused));
      const expired = await createToken(other, owner.id, { expiresAtUs: other.nowUs() - 1 });
      expect(await everywhere(expired.token)).toEqual(servers.map(() => refused));
      expect(
        (await engine.db.kysely.selectFrom('sendings').select('id').where('account_id', '=', owner.id).execute())
          .length,
      ).toBe(0);
    } finally {
      for (const server of servers) await server.stop();
    }
  });
});
