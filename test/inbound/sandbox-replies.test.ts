// The sandbox's scripted handsets: a number ending 0006 answers "STOP" a moment after its message is delivered (the
// account's opt-out list takes it), one ending 0007 answers "Hello". The reply comes from the recipient to the
// sending's sender, for the account that sent the message: on its number when the sender is one, else with no number.
import { expect, it } from 'vitest';
import { createMemorySandboxUpstream } from '../../src/dispatch/providers/sandbox/upstream.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { receiveSandboxReply } from '../../src/services/inbound.js';
import { changeKeywordAnswersFrom } from '../../src/services/keyword-replies.js';
import type { Db } from '../../src/store/db.js';
import { listInbound } from '../../src/store/inbound.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression, suppressedAmong } from '../../src/store/suppressions.js';
import { type FakeClock, fakeClock, numberEndingWith, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';

function dispatcherWithReplies(db: Db, clock: FakeClock) {
  const registry = createRegistry({
    clockUs: clock.clockUs,
    sandbox: {
      upstream: createMemorySandboxUpstream({ soleProcess: true }),
      reportDelayMs: 0,
      onReply: async (reply) => {
        await receiveSandboxReply(db, { provider: 'sandbox', ...reply }, () => {});
      },
    },
  });
  return createDispatcher({
    db,
    router: createRouter(registry, undefined, { clockUs: clock.clockUs }),
    clockUs: clock.clockUs,
  });
}

describeEachEngine('sandbox replies', (engine) => {
  it('0006 replies STOP and is suppressed, 0007 replies Hello, both on the sender number of the account', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const stopper = numberEndingWith('0006', 1);
    const greeter = numberEndingWith('0007', 1);
    const quiet = numberEndingWith('0009', 1);
    const { accountId } = await storedSending(db, [stopper, greeter, quiet], { sender: '37126669000' });
    const assigned = await assignNumber(db, accountId, '37126669000', null);
    if (!assigned.ok) throw new Error('not assigned');
    const dispatcher = dispatcherWithReplies(db, clock);
    for (let round = 0; round < 3; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(1_000);
    }

    const listed = await listInbound(db, accountId, { page: 1, perPage: 10 });
    const replies = listed.rows.map((m) => [m.from, m.to, m.text, m.keywordEffect, m.numberId, m.provider]);
    expect(replies.sort()).toEqual([
      [stopper, '37126669000', 'STOP', 'opt_out', assigned.number.id, 'sandbox'],
      [greeter, '37126669000', 'Hello', null, assigned.number.id, 'sandbox'],
    ]);
    expect(await findSuppression(db, accountId, stopper)).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(db, accountId, greeter)).toBeUndefined();
  });

  it("takes a reply that is one of the account's own stop words as STOP: 0007's Hello suppresses it", async () => {
    const db = engine.db;
    const clock = fakeClock();
    const greeter = numberEndingWith('0007', 3);
    const { accountId } = await storedSending(db, [greeter], { sender: 'SMSgic' });
    const own = await changeKeywordAnswersFrom(db, accountId, { stop_words: ['hello'] });
    expect(own.ok).toBe(true);
    const dispatcher = dispatcherWithReplies(db, clock);
    for (let round = 0; round < 3; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(1_000);
    }
    const listed = await listInbound(db, accountId, { page: 1, perPage: 10 });
    expect(listed.rows.map((m) => [m.from, m.text, m.keywordEffect])).toEqual([[greeter, 'Hello', 'opt_out']]);
    expect(await findSuppression(db, accountId, greeter)).toMatchObject({ source: 'stop_message' });
  });

  it('reaches the account that sent the message when its sender is no number of the account', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const stopper = numberEndingWith('0006', 2);
    const greeter = numberEndingWith('0007', 2);
    const { accountId } = await storedSending(db, [stopper, greeter], { sender: 'SMSgic' });
    const dispatcher = dispatcherWithReplies(db, clock);
    for (let round = 0; round < 3; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(1_000);
    }
    // Polling again (a report asked twice) stores each reply once.
    await dispatcher.runUntilIdle();

    const listed = await listInbound(db, accountId, { page: 1, perPage: 10 });
    expect(listed.rows.map((m) => [m.from, m.to, m.text, m.numberId]).sort()).toEqual([
      [stopper, 'SMSgic', 'STOP', null],
      [greeter, 'SMSgic', 'Hello', null],
    ]);
    expect(await findSuppression(db, accountId, stopper)).toMatchObject({ source: 'stop_message' });
  });

  it('with the opt-out scope sender, a STOP reply to an alphanumeric sender suppresses the number for that sender only', async () => {
    const db = engine.db;
    const clock = fakeClock();
    const stopper = numberEndingWith('0006', 7);
    const { accountId } = await storedSending(db, [stopper], { sender: 'ScopeShop' });
    const scoped = await changeKeywordAnswersFrom(db, accountId, { opt_out_scope: 'sender' });
    expect(scoped.ok).toBe(true);
    const dispatcher = dispatcherWithReplies(db, clock);
    for (let round = 0; round < 3; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(1_000);
    }
    expect(await findSuppression(db, accountId, stopper, 'ScopeShop')).toMatchObject({ source: 'stop_message' });
    expect(await findSuppression(db, accountId, stopper, '')).toBeUndefined();
    expect((await suppressedAmong(db, accountId, [stopper], 'ScopeShop')).size).toBe(1);
    expect((await suppressedAmong(db, accountId, [stopper], 'OtherShop')).size).toBe(0);
  });
});
