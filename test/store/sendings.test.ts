// Sendings: stored with their messages and reservation all together or not at all, exact at 100,000 recipients.
import { expect, it } from 'vitest';
import { auditLedger, getBalance, listEntries } from '../../src/store/ledger.js';
import { listMessages, messageTotals } from '../../src/store/messages.js';
import {
  createSending,
  findByIdempotencyKey,
  getSending,
  IDEMPOTENCY_KEY_TTL_MS,
  listSendings,
  type MessageColumns,
} from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount, newSending, recipientOf, sendingTotalMinor } from '../support/store-fixtures.js';

describeEachEngine('sendings', (engine) => {
  async function rowCounts() {
    const db = engine.db.kysely;
    const count = async (table: 'sendings' | 'messages' | 'ledger_entries') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      sendings: await count('sendings'),
      messages: await count('messages'),
      entries: await count('ledger_entries'),
    };
  }

  it('stores the sending, one message per recipient and the reservation of its total', async () => {
    const db = engine.db;
    const shape = { recipients: 3, rateMinor: 4397, parts: 2, taxMinor: 5_277 };
    const accountId = await fundedAccount(db, 1_000_000);
    const result = await createSending(db, { ...newSending(accountId, shape), callbackUrl: 'https://example.test/cb' });
    if (!result.ok) throw new Error(result.reason);
    const { sending } = result;
    expect(sending).toMatchObject({
      accountId,
      status: 'Pending',
      recipients: 3,
      smsCount: 6,
      subtotalMinor: 26_382,
      taxMinor: 5_277,
      totalMinor: 31_659,
      callbackUrl: 'https://example.test/cb',
    });
    expect(sending.scheduledAtUs).toBe(sending.createdAtUs);
    expect(result.balanceMinor).toBe(1_000_000 - 31_659);
    expect(await getSending(db, accountId, sending.id)).toEqual(sending);
    const [reservation] = await listEntries(db, accountId, { page: 1, perPage: 1 });
    expect(reservation).toMatchObject({
      kind: 'reservation',
      amountMinor: -31_659,
      balanceAfterMinor: 968_341,
      sendingId: sending.id,
      reference: `sending:${sending.id}`,
    });
    const messages = await listMessages(db, accountId, sending.id, { page: 1, perPage: 10 });
    expect(messages.map((m) => [m.recipient, m.mnc, m.destination, m.parts, m.costMinor, m.status])).toEqual([
      [recipientOf(0), '01', 'Latvia LMT', 2, 8_794, 'queued'],
      [recipientOf(1), null, 'Latvia', 2, 8_794, 'queued'],
      [recipientOf(2), '01', 'Latvia LMT', 2, 8_794, 'queued'],
    ]);
  });

  it('takes the rows as parallel arrays too', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 100_000);
    const columns: MessageColumns = {
      recipient: ['4520123456', '447700900123'],
      countryId: [59, 77],
      mcc: ['238', '234'],
      mnc: ['02', null],
      destination: ['Denmark Telenor', 'United Kingdom'],
      parts: [1, 1],
      rateMinor: [300, 450],
      costMinor: [300, 450],
    };
    const result = await createSending(db, {
      ...newSending(accountId, { recipients: 2 }),
      subtotalMinor: 750,
      totalMinor: 750,
      messages: columns,
    });
    if (!result.ok) throw new Error(result.reason);
    expect(await messageTotals(db, accountId, result.sending.id)).toEqual({ messages: 2, parts: 2, costMinor: 750 });
  });

  it('refuses a sending the balance cannot cover, writing nothing', async () => {
    const db = engine.db;
    const shape = { recipients: 10, rateMinor: 1_000 };
    const accountId = await fundedAccount(db, sendingTotalMinor(shape) - 1);
    const before = await rowCounts();
    expect(await createSending(db, newSending(accountId, shape))).toEqual({
      ok: false,
      reason: 'insufficient_balance',
      balanceMinor: 9_999,
      requiredMinor: 10_000,
    });
    expect(await rowCounts()).toEqual(before);
    expect(await getBalance(db, accountId)).toBe(9_999);
  });

  it('writes nothing when a message row fails part-way through the insert', async () => {
    const db = engine.db;
    // Row 23,456 violates the parts CHECK after several chunks of rows have already gone in.
    const shape = { recipients: 25_000, rateMinor: 100, badRowAt: 23_456, badParts: 0 };
    const accountId = await fundedAccount(db, 10_000_000);
    const before = await rowCounts();
    await expect(createSending(db, newSending(accountId, shape))).rejects.toThrow(/check constraint/i);
    expect(await rowCounts()).toEqual(before);
    expect(await getBalance(db, accountId)).toBe(10_000_000);
    expect(await listSendings(db, accountId, { page: 1, perPage: 10 })).toEqual([]);
  });

  it('writes nothing when the rows do not add up to the declared totals', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 10_000_000);
    const before = await rowCounts();
    const declared = newSending(accountId, { recipients: 5_000, rateMinor: 100 });
    const rows = newSending(accountId, { recipients: 4_999, rateMinor: 100 }).messages;
    await expect(createSending(db, { ...declared, messages: rows })).rejects.toThrow(/do not match its totals/);
    expect(await rowCounts()).toEqual(before);
    expect(await getBalance(db, accountId)).toBe(10_000_000);
  });

  it('stores a 100,000-recipient sending with exactly 100,000 messages and the exact total', async () => {
    const db = engine.db;
    const shape = { recipients: 100_000, parts: 3, rateMinor: 4_397, taxMinor: 263_820_001 };
    const accountId = await fundedAccount(db, sendingTotalMinor(shape) + 1);
    const result = await createSending(db, newSending(accountId, shape));
    if (!result.ok) throw new Error(result.reason);
    expect(result.sending.totalMinor).toBe(1_319_100_000 + 263_820_001);
    expect(result.balanceMinor).toBe(1);
    expect(await messageTotals(db, accountId, result.sending.id)).toEqual({
      messages: 100_000,
      parts: 300_000,
      costMinor: 1_319_100_000,
    });
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });

  it('lists the account sendings newest first, a page at a time', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 1_000_000);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await createSending(db, newSending(accountId, { recipients: 1 }));
      if (!result.ok) throw new Error(result.reason);
      ids.push(result.sending.id);
    }
    const first = await listSendings(db, accountId, { page: 1, perPage: 2 });
    const last = await listSendings(db, accountId, { page: 3, perPage: 2 });
    expect(first.map((s) => s.id)).toEqual([ids[4], ids[3]]);
    expect(last.map((s) => s.id)).toEqual([ids[0]]);
  });

  it('answers a repeated Idempotency-Key with the first sending and charges once', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 1_000_000);
    const idempotency = { key: 'order-7', requestSha256: 'a'.repeat(64) };
    const shape = { recipients: 4, rateMinor: 1_000, idempotency };
    const results = await Promise.all([1, 2, 3].map(() => createSending(db, newSending(accountId, shape))));
    const created = results.filter((r) => r.ok);
    expect(created).toHaveLength(1);
    const firstId = created[0]?.ok ? created[0].sending.id : -1;
    for (const result of results.filter((r) => !r.ok)) {
      expect(result).toMatchObject({ ok: false, reason: 'idempotency_key_used', sending: { id: firstId } });
    }
    expect(await getBalance(db, accountId)).toBe(1_000_000 - 4_000);
    expect((await findByIdempotencyKey(db, accountId, 'order-7'))?.requestSha256).toBe('a'.repeat(64));
    expect(await findByIdempotencyKey(db, accountId, 'order-8')).toBeUndefined();
  });

  it('forgets an Idempotency-Key after its window, so the key starts a new sending', async () => {
    let nowUs = Date.UTC(2024, 0, 1) * US_PER_MS;
    const db = await engine.open({ clockUs: () => nowUs });
    const accountId = await fundedAccount(db, 1_000_000);
    const shape = { recipients: 1, rateMinor: 1_000, idempotency: { key: 'k', requestSha256: 'h' } };
    const first = await createSending(db, newSending(accountId, shape));
    nowUs += IDEMPOTENCY_KEY_TTL_MS * US_PER_MS - 1;
    expect((await createSending(db, newSending(accountId, shape))).ok).toBe(false);
    nowUs += 1;
    expect(await findByIdempotencyKey(db, accountId, 'k')).toBeUndefined();
    const second = await createSending(db, newSending(accountId, shape));
    expect(first.ok && second.ok && second.sending.id !== first.sending.id).toBe(true);
    expect(await getBalance(db, accountId)).toBe(1_000_000 - 2_000);
  });
});
