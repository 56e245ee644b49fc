// Messages waiting for a retry are leased when their time comes, and not before: however the lease keeps the sendings
// that wait out of its way, none of their messages is hidden from it once due.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { type Lease, type LeaseRouting, leaseDueMessages, recordOutcomes } from '../../src/store/dispatch-queue.js';
import { US_PER_MS } from '../../src/store/time.js';
import { fakeClock, numberEndingWith, sendingOf, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';

const SANDBOX: LeaseRouting = () => ({ provider: 'sandbox', ruleId: null });
const LEASE_US = 60_000 * US_PER_MS;
const SECOND_US = 1_000 * US_PER_MS;

describeEachEngine('leases of messages waiting for a retry', (engine) => {
  const lease = (workerId: string, nowUs: number, limit = 100): Promise<Lease> =>
    leaseDueMessages(engine.db, { workerId, nowUs, leaseUs: LEASE_US, limit }, SANDBOX);
  const retryAt = (workerId: string, nowUs: number, ids: readonly number[], nextAttemptAtUs: number) =>
    recordOutcomes(
      engine.db,
      { workerId, nowUs },
      { retry: ids.map((id) => ({ id, nextAttemptAtUs, error: 'provider unavailable' })) },
    );
  const accept = (workerId: string, nowUs: number, ids: readonly number[]) =>
    recordOutcomes(
      engine.db,
      { workerId, nowUs },
      { accepted: ids.map((id) => ({ id, providerMessageId: `p-${id}`, nextPollAtUs: nowUs + LEASE_US })) },
    );

  it('leases a one-time code again when its retry is due, not before', async () => {
    // Each test on a clock of its own, years apart, so that what one leaves waiting is never due in another.
    const clock = fakeClock(Date.UTC(2031, 0, 1) * US_PER_MS);
    const t0 = clock.clockUs();
    const { sending } = await storedSending(engine.db, [numberEndingWith('0009', 1)]);
    const first = await lease('w-code', t0);
    expect(first.messages.map((m) => m.sendingId)).toEqual([sending.id]);
    const id = first.messages[0]?.id ?? 0;
    expect(await retryAt('w-code', t0, [id], t0 + 30 * SECOND_US)).toEqual({ recorded: 1, notHeld: 0 });
    expect((await lease('w-code', t0 + SECOND_US)).messages).toEqual([]);
    expect((await lease('w-code', t0 + 30 * SECOND_US - 1)).messages).toEqual([]);
    const again = await lease('w-code', t0 + 30 * SECOND_US);
    expect(again.messages.map((m) => [m.id, m.attempt])).toEqual([[id, 2]]);
  });

  it('leases a retry scheduled earlier than the one its sending was waiting for, at its own time', async () => {
    const clock = fakeClock(Date.UTC(2032, 0, 1) * US_PER_MS);
    const t0 = clock.clockUs();
    const { sending } = await storedSending(engine.db, [numberEndingWith('0009', 2), numberEndingWith('0009', 3)]);
    const first = await lease('w-two', t0);
    expect(first.messages).toHaveLength(2);
    const [a, b] = first.messages.map((m) => m.id) as [number, number];
    // One refusal waits for a late retry; leases in between find nothing and leave it waiting.
    await retryAt('w-two', t0, [a], t0 + 100 * SECOND_US);
    expect((await lease('w-two', t0 + SECOND_US)).messages).toEqual([]);
    // Then the other, refused later, is to be retried sooner than the first.
    await retryAt('w-two', t0 + 2 * SECOND_US, [b], t0 + 10 * SECOND_US);
    expect((await lease('w-two', t0 + 9 * SECOND_US)).messages).toEqual([]);
    const sooner = await lease('w-two', t0 + 10 * SECOND_US);
    expect(sooner.messages.map((m) => [m.sendingId, m.id])).toEqual([[sending.id, b]]);
    await accept('w-two', t0 + 10 * SECOND_US, [b]);
    expect((await lease('w-two', t0 + 99 * SECOND_US)).messages).toEqual([]);
    const later = await lease('w-two', t0 + 100 * SECOND_US);
    expect(later.messages.map((m) => [m.sendingId, m.id])).toEqual([[sending.id, a]]);
  });

  it('leases a released message at once, and the rest of a large sending whose first messages wait for a retry', async () => {
    const clock = fakeClock(Date.UTC(2033, 0, 1) * US_PER_MS);
    const t0 = clock.clockUs();
    const recipients = Array.from({ length: 30 }, (_, i) => numberEndingWith('0009', 100 + i));
    const { sending } = await storedSending(engine.db, recipients);
    const first = await lease('w-large', t0, 10);
    expect(first.messages).toHaveLength(10);
    const ids = first.messages.map((m) => m.id);
    // Eight wait for a retry, one is released (never handed over: due as it was), one is accepted.
    await retryAt('w-large', t0, ids.slice(0, 8), t0 + 60 * SECOND_US);
    await recordOutcomes(engine.db, { workerId: 'w-large', nowUs: t0 }, { released: [ids[8] ?? 0] });
    await accept('w-large', t0, [ids[9] ?? 0]);
    const rest = new Set<number>();
    for (let i = 1; i <= 3; i++) {
      const next = await lease('w-large', t0 + i * SECOND_US, 10);
      for (const m of next.messages) rest.add(m.id);
      await accept(
        'w-large',
        t0 + i * SECOND_US,
        next.messages.map((m) => m.id),
      );
    }
    expect(rest.size).toBe(21);
    expect(rest.has(ids[8] ?? 0)).toBe(true);
    expect((await lease('w-large', t0 + 59 * SECOND_US, 10)).messages).toEqual([]);
    const retried = await lease('w-large', t0 + 60 * SECOND_US, 10);
    expect(retried.messages.map((m) => m.id).sort((x, y) => x - y)).toEqual(ids.slice(0, 8).sort((x, y) => x - y));
    expect(new Set(retried.messages.map((m) => m.sendingId))).toEqual(new Set([sending.id]));
  });

  it('during an outage takes the due codes among hundreds waiting, and every waiting one once due', async () => {
    const clock = fakeClock(Date.UTC(2034, 0, 1) * US_PER_MS);
    const t0 = clock.clockUs();
    const first = await storedSending(engine.db, [numberEndingWith('0009', 500)], { extraBalanceMinor: 10_000_000 });
    const waiting = 300;
    for (let i = 1; i < waiting; i++) await sendingOf(engine.db, first.accountId, [numberEndingWith('0009', 500 + i)]);
    const failed: number[] = [];
    for (let i = 0; failed.length < waiting; i++) {
      const taken = await lease('w-outage', t0 + i, 100);
      expect(taken.messages.length).toBeGreaterThan(0);
      const ids = taken.messages.map((m) => m.id);
      // Each refused: retried a minute after its refusal.
      await retryAt('w-outage', t0 + i, ids, t0 + i + 60 * SECOND_US);
      failed.push(...ids);
    }
    const due = [
      await sendingOf(engine.db, first.accountId, [numberEndingWith('0009', 900)]),
      await sendingOf(engine.db, first.accountId, [numberEndingWith('0009', 901)]),
    ];
    const now = await lease('w-outage', t0 + 10 * SECOND_US, 100);
    expect(now.messages.map((m) => m.sendingId).sort((x, y) => x - y)).toEqual(due.map((s) => s.id));
    await accept(
      'w-outage',
      t0 + 10 * SECOND_US,
      now.messages.map((m) => m.id),
    );
    expect((await lease('w-outage', t0 + 59 * SECOND_US, 100)).messages).toEqual([]);
    const retried: number[] = [];
    for (let i = 0; i < 10; i++) {
      const taken = await lease('w-outage', t0 + 61 * SECOND_US + i, 100);
      if (taken.messages.length === 0) break;
      retried.push(...taken.messages.map((m) => m.id));
      expect(taken.messages.every((m) => m.attempt === 2)).toBe(true);
      await accept(
        'w-outage',
        t0 + 61 * SECOND_US + i,
        taken.messages.map((m) => m.id),
      );
    }
    expect(retried.sort((x, y) => x - y)).toEqual(failed.sort((x, y) => x - y));
  });

  it('two workers through an outage and after it: every message is handed over once its retry is due', async () => {
    const t0 = Date.UTC(2035, 0, 1) * US_PER_MS;
    const large = await storedSending(
      engine.db,
      Array.from({ length: 120 }, (_, i) => numberEndingWith('0009', 2000 + i)),
      { extraBalanceMinor: 10_000_000 },
    );
    const sendingIds = [large.sending.id];
    for (let i = 0; i < 150; i++) {
      sendingIds.push((await sendingOf(engine.db, large.accountId, [numberEndingWith('0009', 3000 + i)])).id);
    }
    const other = await engine.open();
    let now = t0;
    let lastRetryAtUs = t0;
    const outageEndsUs = t0 + 3 * SECOND_US;
    const worker = async (db: Db, workerId: string) => {
      for (let round = 0; round < 100; round++) {
        const nowUs = now;
        now += 50_000;
        const { messages } = await leaseDueMessages(db, { workerId, nowUs, leaseUs: LEASE_US, limit: 25 }, SANDBOX);
        // Down for three seconds: every one refused and retried 0.1–0.9 s later; then a third refused once more.
        const refused = messages.filter((m) => nowUs < outageEndsUs || (m.id % 3 === 0 && m.attempt < 3));
        const retry = refused.map((m) => ({
          id: m.id,
          nextAttemptAtUs: nowUs + 100_000 * (1 + (m.id % 9)),
          error: 'provider unavailable',
        }));
        for (const r of retry) lastRetryAtUs = Math.max(lastRetryAtUs, r.nextAttemptAtUs);
        const accepted = messages
          .filter((m) => !refused.includes(m))
          .map((m) => ({ id: m.id, providerMessageId: `o-${m.id}`, nextPollAtUs: nowUs + LEASE_US }));
        const recorded = await recordOutcomes(db, { workerId, nowUs }, { retry, accepted });
        expect(recorded.notHeld).toBe(0);
      }
    };
    await Promise.all([worker(engine.db, 'w-a'), worker(other, 'w-b')]);
    // Once every retry is due, leases take all that is left.
    const endUs = Math.max(now, lastRetryAtUs);
    for (let i = 0; i < 20; i++) {
      const { messages } = await lease('w-end', endUs + i, 100);
      if (messages.length === 0) break;
      await accept(
        'w-end',
        endUs + i,
        messages.map((m) => m.id),
      );
    }
    const { rows } = await sql<{ status: string; n: number | string }>`
      select status, count(*) as n from messages where sending_id in (${sql.join(sendingIds)}) group by status`.execute(
      engine.db.kysely,
    );
    expect(rows.map((row) => [row.status, Number(row.n)])).toEqual([['submitted', 270]]);
  });
});
