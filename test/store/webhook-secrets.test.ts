// Webhook secrets: read as they sign callbacks now, rotated with a 24 h grace for the replaced one, per account.
import { expect, it } from 'vitest';
import { WEBHOOK_SECRET_GRACE_MS } from '../../src/domain/limits.js';
import { getAccount } from '../../src/store/accounts.js';
import { US_PER_MS } from '../../src/store/time.js';
import { getWebhookSecret, rotateWebhookSecret } from '../../src/store/webhook-secrets.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

const GRACE_US = WEBHOOK_SECRET_GRACE_MS * US_PER_MS;
const SECRET_FORM = /^[A-Za-z0-9_-]{43}$/;

describeEachEngine('webhook secrets', (engine) => {
  it("reads a new account's secret, never rotated, and nothing for an account that does not exist", async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const read = await getWebhookSecret(db, accountId);
    expect(read).toEqual({
      accountId,
      secret: (await getAccount(db, accountId))?.webhookSecret,
      previousSecret: null,
      previousValidUntilUs: null,
      rotatedAtUs: null,
    });
    expect(read?.secret).toMatch(SECRET_FORM);
    expect(await getWebhookSecret(db, 987_654_321)).toBeUndefined();
    expect(await rotateWebhookSecret(db, 987_654_321, GRACE_US)).toBeUndefined();
  });

  it('rotates to a new random secret, keeps the old one for 24 h, records when, and touches no other account', async () => {
    let nowUs = Date.UTC(2031, 2, 4, 10, 0, 0) * US_PER_MS;
    const db = await engine.open({ clockUs: () => nowUs });
    const accountId = await fundedAccount(db, 0);
    const other = await fundedAccount(db, 0);
    const otherBefore = await getWebhookSecret(db, other);
    const old = (await getWebhookSecret(db, accountId))?.secret;
    const rotatedAtUs = nowUs;

    const rotated = await rotateWebhookSecret(db, accountId, GRACE_US);
    expect(rotated).toEqual({
      accountId,
      secret: expect.stringMatching(SECRET_FORM),
      previousSecret: old,
      previousValidUntilUs: rotatedAtUs + GRACE_US,
      rotatedAtUs,
    });
    expect(rotated?.secret).not.toBe(old);
    expect((await getAccount(db, accountId))?.webhookSecret).toBe(rotated?.secret);
    expect(await getWebhookSecret(db, other)).toEqual(otherBefore);

    // A microsecond before the grace ends the old secret still counts; at its end it no longer does.
    nowUs = rotatedAtUs + GRACE_US - 1;
    expect(await getWebhookSecret(db, accountId)).toEqual(rotated);
    nowUs = rotatedAtUs + GRACE_US;
    expect(await getWebhookSecret(db, accountId)).toEqual({
      accountId,
      secret: rotated?.secret,
      previousSecret: null,
      previousValidUntilUs: null,
      rotatedAtUs,
    });
  });

  it('a second rotation within the grace keeps only the last two secrets, with a fresh 24 h', async () => {
    let nowUs = Date.UTC(2031, 5, 1) * US_PER_MS;
    const db = await engine.open({ clockUs: () => nowUs });
    const accountId = await fundedAccount(db, 0);
    const first = await rotateWebhookSecret(db, accountId, GRACE_US);
    nowUs += 60 * 60 * 1000 * US_PER_MS;
    const second = await rotateWebhookSecret(db, accountId, GRACE_US);
    expect(second).toMatchObject({
      previousSecret: first?.secret,
      previousValidUntilUs: nowUs + GRACE_US,
      rotatedAtUs: nowUs,
    });
    expect(new Set([first?.previousSecret, first?.secret, second?.secret]).size).toBe(3);
  });
});
