// API tokens: shown once, stored as a hash, refused once revoked or expired, last use recorded at most once a minute.
import { expect, it } from 'vitest';
import { US_PER_MS, US_PER_SECOND } from '../../src/store/time.js';
import {
  authenticate,
  createToken,
  LAST_USED_RESOLUTION_MS,
  listTokens,
  revokeToken,
  revokeTokenAsOperator,
  tokenSha256,
} from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

describeEachEngine('api tokens', (engine) => {
  it('authenticates a new token as its account and stores only its hash', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const created = await createToken(db, accountId, { name: 'ci' });
    expect(created.token).toMatch(/^smsgic_[A-Za-z0-9_-]{43}$/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    expect(await authenticate(db, created.token)).toEqual({ accountId, tokenId: created.id });
    const rows = await db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', created.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_sha256).toBe(tokenSha256(created.token));
    expect(JSON.stringify(rows)).not.toContain(created.token);
  });

  it("stores a token's SHA-256 in hex, so that tokens issued by earlier versions still authenticate", () => {
    expect(tokenSha256(`smsgic_${'A'.repeat(43)}`)).toBe(
      '9924c17975fb9c030c5d321d8b33d15b31f9aee6a5a2e3b634da314b28f736bb',
    );
  });

  it('refuses unknown, malformed, revoked and expired tokens', async () => {
    let nowUs = Date.UTC(2024, 5, 1) * US_PER_MS;
    const db = await engine.open({ clockUs: () => nowUs });
    const accountId = await fundedAccount(db, 0);
    const revoked = await createToken(db, accountId);
    const expiring = await createToken(db, accountId, { expiresAtUs: nowUs + 60 * US_PER_SECOND });
    expect(
      await authenticate(db, `${revoked.token.slice(0, -1)}${revoked.token.endsWith('A') ? 'B' : 'A'}`),
    ).toBeNull();
    expect(await authenticate(db, 'not a token')).toBeNull();
    expect(await authenticate(db, '')).toBeNull();

    const revocation = await revokeToken(db, accountId, revoked.id);
    expect(revocation.ok && revocation.token.revokedAtUs).toBe(nowUs);
    expect(await authenticate(db, revoked.token)).toBeNull();

    expect(await authenticate(db, expiring.token)).not.toBeNull();
    nowUs += 60 * US_PER_SECOND;
    expect(await authenticate(db, expiring.token)).toBeNull();
  });

  it('revokes idempotently, keeping the first date; the operator revokes any account token', async () => {
    let nowUs = Date.UTC(2024, 5, 1) * US_PER_MS;
    const db = await engine.open({ clockUs: () => nowUs });
    const accountId = await fundedAccount(db, 0);
    const token = await createToken(db, accountId);
    const first = await revokeTokenAsOperator(db, token.id);
    nowUs += US_PER_SECOND;
    const second = await revokeToken(db, accountId, token.id);
    expect(first.ok && second.ok && second.token.revokedAtUs).toBe(Date.UTC(2024, 5, 1) * US_PER_MS);
    expect(await revokeTokenAsOperator(db, 99_999_999)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('records the last use at most once a minute', async () => {
    let nowUs = Date.UTC(2024, 5, 1) * US_PER_MS;
    const db = await engine.open({ clockUs: () => nowUs });
    const accountId = await fundedAccount(db, 0);
    const { token, id } = await createToken(db, accountId);
    const lastUsed = async () => (await listTokens(db, accountId)).find((t) => t.id === id)?.lastUsedAtUs;
    expect(await lastUsed()).toBeNull();
    const firstUseUs = nowUs;
    await authenticate(db, token);
    expect(await lastUsed()).toBe(firstUseUs);
    nowUs += LAST_USED_RESOLUTION_MS * US_PER_MS;
    await authenticate(db, token);
    expect(await lastUsed()).toBe(firstUseUs);
    nowUs += 1;
    await authenticate(db, token);
    expect(await lastUsed()).toBe(nowUs);
  });
});
