// Leases take turns among due sendings: a small sending is not held back behind a large one created before it.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/dispatch/provider.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { type LeaseRouting, leaseDueMessages } from '../../src/store/dispatch-queue.js';
import { auditLedger } from '../../src/store/ledger.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, routerWith, statusOf, storedSending } from './support.js';

/** Every `default` message to the sandbox; a named type to none. */
const SANDBOX_ONLY: LeaseRouting = (_message, sending) => ({
  provider: sending.type === 'default' ? 'sandbox' : null,
  ruleId: null,
});
const BATCH = 50;

function numbers(count: number, offset: number): string[] {
  return Array.from({ length: count }, (_, i) => numberEndingWith('0009', offset + i));
}

describeEachEngine('fair leasing', (engine) => {
  it('hands the small sending over in the first batches, before most of the large one', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const batches: string[][] = [];
    const recording: ProviderAdapter = {
      name: 'recording',
      submitBatchMax: BATCH,
      submit: async (batch) => {
        batches.push(batch.map((m) => m.recipient));
        return batch.map((m) => ({ accepted: `r-${m.reference}` }));
      },
    };
    const large = await storedSending(db, numbers(20 * BATCH, 200_000));
    const smallNumbers = numbers(3, 300_000);
    const small = await storedSending(db, smallNumbers);
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs, {
        adapters: [recording],
        table: { routes: [], defaultProviders: ['recording'] },
      }),
      clockUs: clock.clockUs,
      batchSize: BATCH,
      concurrency: 1,
      reportWaitMaxMs: 1,
    });
    await dispatcher.runUntilIdle();
    const smallBatch = batches.findIndex((batch) => batch.some((recipient) => smallNumbers.includes(recipient)));
    expect(batches.flat()).toHaveLength(20 * BATCH + 3);
    expect(batches.length).toBeGreaterThanOrEqual(21);
    expect(smallBatch).toBeGreaterThanOrEqual(0);
    expect(smallBatch).toBeLessThanOrEqual(1);
    expect(batches[smallBatch]?.filter((r) => smallNumbers.includes(r))).toHaveLength(3);
    expect(await statusOf(db, large.accountId, large.sending.id)).toBe('Processing');
    clock.advanceMs(10);
    await dispatcher.runUntilIdle();
    expect(await statusOf(db, small.accountId, small.sending.id)).toBe('Completed');
    expect(await statusOf(db, large.accountId, large.sending.id)).toBe('Completed');
    expect((await auditLedger(db)).mismatches).toEqual([]);
  });
  it('serves a sending created after a large one within the next lease, not after the large one', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const large = await storedSending(db, numbers(10 * BATCH, 0));
    const small = await storedSending(db, numbers(1, 100_000));
    const leasedFrom = new Set<number>();
    for (let i = 0; i < 2; i++) {
      const lease = await leaseDueMessages(
        db,
        { workerId: `w${i}`, nowUs: clock.clockUs(), leaseUs: 60_000_000, limit: BATCH },
        SANDBOX_ONLY,
      );
      for (const message of lease.messages) leasedFrom.add(message.sendingId);
      clock.advanceMs(1);
    }
    expect(leasedFrom).toContain(small.sending.id);
    expect(leasedFrom).toContain(large.sending.id);
  });
  it('fills one lease from many one-message sendings, in the order they were served', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const codes = [];
    for (let i = 0; i < 2 * BATCH + 5; i++) codes.push((await storedSending(db, numbers(1, 400_000 + i))).sending.id);
    const leased: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const lease = await leaseDueMessages(
        db,
        { workerId: 'w', nowUs: clock.clockUs(), leaseUs: 60_000_000, limit: BATCH },
        SANDBOX_ONLY,
      );
      leased.push(lease.messages.map((message) => message.sendingId));
      expect(lease.sendings.size).toBe(lease.messages.length);
      clock.advanceMs(1);
    }
    expect(leased.map((l) => l.length)).toEqual([BATCH, BATCH, 5]);
    expect(leased.flat().sort((a, b) => a - b)).toEqual(codes);
    // Oldest first: every sending of a lease was created before every sending of the next one.
    for (let i = 1; i < leased.length; i++) {
      expect(Math.max(...(leased[i - 1] ?? []))).toBeLessThan(Math.min(...(leased[i] ?? [])));
    }
  });

  it('takes turns between a large sending and many one-message sendings, the codes in full leases', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const large = await storedSending(db, numbers(4 * BATCH, 500_000));
    const codes = new Set<number>();
    for (let i = 0; i < BATCH + 10; i++) codes.add((await storedSending(db, numbers(1, 600_000 + i))).sending.id);
    const leases: { large: number; codes: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const lease = await leaseDueMessages(
        db,
        { workerId: 'w', nowUs: clock.clockUs(), leaseUs: 60_000_000, limit: BATCH },
        SANDBOX_ONLY,
      );
      leases.push({
        large: lease.messages.filter((message) => message.sendingId === large.sending.id).length,
        codes: lease.messages.filter((message) => codes.has(message.sendingId)).length,
      });
      clock.advanceMs(1);
    }
    // The large one was served first (created first), then the codes, a full lease of them and the rest.
    expect(leases).toEqual([
      { large: BATCH, codes: 0 },
      { large: 0, codes: BATCH },
      { large: 0, codes: 10 },
    ]);
  });

  it('starts a lease of new one-recipient sendings with one write of the sendings, and still takes turns', async () => {
    const statements: string[] = [];
    const db = await engine.open({ onQuery: (query) => statements.push(query.sql) });
    const clock = fakeClock();
    const sendingWrites = () => statements.filter((text) => /^\s*update "?sendings"?\b/i.test(text)).length;
    const lease = async () => {
      statements.length = 0;
      const leased = await leaseDueMessages(
        db,
        { workerId: 'w', nowUs: clock.clockUs(), leaseUs: 60_000_000, limit: BATCH },
        SANDBOX_ONLY,
      );
      clock.advanceMs(1);
      const { rows } = await sql<{ status: string }>`
        select distinct status from sendings where id in (${sql.join([0, ...leased.sendings.keys()])})`.execute(
        db.kysely,
      );
      expect(rows.filter((row) => row.status !== 'Processing')).toEqual([]);
      return leased;
    };
    // What the suite's other tests left due is leased out of the way first.
    while ((await lease()).messages.length > 0);
    const large = await storedSending(db, numbers(3 * BATCH, 700_000));
    expect((await lease()).messages.every((m) => m.sendingId === large.sending.id)).toBe(true);
    expect(sendingWrites()).toBe(1);
    const codes = new Set<number>();
    for (let i = 0; i < 10; i++) codes.add((await storedSending(db, numbers(1, 800_000 + i))).sending.id);
    // Never served, the codes go first, all ten in one lease: started (Pending → Processing) and marked served in
    // one statement.
    const second = await lease();
    expect(second.messages.map((m) => m.sendingId).sort()).toEqual([...codes].sort());
    expect(sendingWrites()).toBe(1);
    // Then the large one, Processing already: marked served by the statement that skips rows other leases hold.
    const third = await lease();
    expect(third.messages.every((m) => m.sendingId === large.sending.id)).toBe(true);
    expect(sendingWrites()).toBe(2);
    const { rows } = await sql<{ id: number | string; last_leased_at_us: number | string }>`
      select id, last_leased_at_us from sendings where id = ${large.sending.id}`.execute(db.kysely);
    expect(Number(rows[0]?.last_leased_at_us)).toBeGreaterThan(0);
    await db.close();
  });
});
