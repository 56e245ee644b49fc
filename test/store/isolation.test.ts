// Account isolation: another account's sendings, senders, tokens and rates are simply not found.
import { beforeAll, expect, it } from 'vitest';
import { listMessages } from '../../src/store/messages.js';
import { listRates, rateRows, replaceRates } from '../../src/store/rates.js';
import { addSender, findUsableSender, listApprovedSenders, listSenders } from '../../src/store/senders.js';
import { createSending, findByIdempotencyKey, getSending, listSendings } from '../../src/store/sendings.js';
import { createToken, listTokens, revokeToken } from '../../src/store/tokens.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount, newSending } from '../support/store-fixtures.js';

describeEachEngine('account isolation', (engine) => {
  let a = 0;
  let b = 0;
  let sendingOfA = 0;
  let tokenOfA = 0;

  beforeAll(async () => {
    const db = engine.db;
    a = await fundedAccount(db, 1_000_000, 'a');
    b = await fundedAccount(db, 1_000_000, 'b');
    const created = await createSending(
      db,
      newSending(a, { recipients: 3, idempotency: { key: 'shared-key', requestSha256: 'x' } }),
    );
    if (!created.ok) throw new Error(created.reason);
    sendingOfA = created.sending.id;
    tokenOfA = (await createToken(db, a)).id;
    await addSender(db, a, 'ShopOfA', 'approved');
    await replaceRates(db, null, [{ mcc: '247', mnc: null, rateMinor: 500 }]);
    await replaceRates(db, a, [{ mcc: '247', mnc: '01', rateMinor: 111 }]);
  });

  it('B cannot get, list or find A sendings or their messages', async () => {
    const db = engine.db;
    expect(await getSending(db, a, sendingOfA)).toBeDefined();
    expect(await getSending(db, b, sendingOfA)).toBeUndefined();
    expect(await listSendings(db, b, { page: 1, perPage: 100 })).toEqual([]);
    expect(await findByIdempotencyKey(db, b, 'shared-key')).toBeUndefined();
    expect(await listMessages(db, b, sendingOfA, { page: 1, perPage: 100 })).toEqual([]);
    expect(await listMessages(db, a, sendingOfA, { page: 1, perPage: 100 })).toHaveLength(3);
  });

  it('an Idempotency-Key of A is free for B', async () => {
    const result = await createSending(
      engine.db,
      newSending(b, { recipients: 1, idempotency: { key: 'shared-key', requestSha256: 'y' } }),
    );
    expect(result.ok).toBe(true);
  });

  it('B neither lists nor may use A senders, while both use a platform default', async () => {
    const db = engine.db;
    await addSender(db, null, 'SMSgic', 'approved');
    expect((await listApprovedSenders(db, a)).map((s) => s.name)).toEqual(['ShopOfA']);
    expect(await listApprovedSenders(db, b)).toEqual([]);
    expect(await listSenders(db, b)).toEqual([]);
    expect(await findUsableSender(db, b, 'ShopOfA')).toBeUndefined();
    expect((await findUsableSender(db, a, 'ShopOfA'))?.accountId).toBe(a);
    expect((await findUsableSender(db, b, 'SMSgic'))?.accountId).toBeNull();
  });

  it('B neither lists nor revokes A tokens', async () => {
    const db = engine.db;
    expect(await listTokens(db, b)).toEqual([]);
    expect(await revokeToken(db, b, tokenOfA)).toEqual({ ok: false, reason: 'not_found' });
    expect((await listTokens(db, a))[0]?.revokedAtUs).toBeNull();
  });

  it('B is priced by the default list, never by A own rates', async () => {
    const db = engine.db;
    expect(await rateRows(db, a)).toEqual([{ mcc: '247', mnc: '01', rateMinor: 111 }]);
    expect(await rateRows(db, b)).toEqual([{ mcc: '247', mnc: null, rateMinor: 500 }]);
    expect((await listRates(db, b)).map((r) => r.rateMinor)).toEqual([500]);
  });
});
