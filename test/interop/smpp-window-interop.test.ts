// The dispatch worker over SMPP fills the route's window: with a backlog of one-recipient sendings and an SMSC that
// answers late, as many submit_sm are outstanding at once as the window allows, on a real socket to an SMSC built on
// the npm `smpp` package.
import { afterEach, expect, it } from 'vitest';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter } from '../../src/dispatch/router.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { numberEndingWith, statusOf, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { acceptSubmit, type PackagePdu, type PackageSession, startPeerSmsc } from './smpp-peer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** How long the SMSC holds each answer: long enough that a window's worth of submits meets at the SMSC. */
const ANSWER_AFTER_MS = 200;

describeEachEngine('SMPP window through the dispatch worker', (engine) => {
  it.each([10, 100])(
    'keeps up to window=%i submit_sm outstanding at once for one-recipient sendings',
    async (window) => {
      let submits = 0;
      let outstanding = 0;
      let mostOutstanding = 0;
      const smsc = await startPeerSmsc({
        onSubmit: (pdu: PackagePdu, session: PackageSession) => {
          submits++;
          outstanding++;
          mostOutstanding = Math.max(mostOutstanding, outstanding);
          setTimeout(() => {
            outstanding--;
            acceptSubmit(pdu, session);
          }, ANSWER_AFTER_MS);
        },
      });
      cleanups.push(() => smsc.close());
      const registry = createRegistry({
        clockUs: () => engine.db.nowUs(),
        providers: { smpp: { url: `${smsc.url}?window=${window}` } },
      });
      cleanups.push(() => registry.close());
      const codes = await Promise.all(
        Array.from({ length: 3 * window }, (_, i) => storedSending(engine.db, [numberEndingWith('4000', window + i)])),
      );
      const dispatcher = createDispatcher({ db: engine.db, router: createRouter(registry), reportWaitMaxMs: 1 });
      await dispatcher.runOnce();
      // Every code handed over once, a window's worth at a time: never more outstanding, and never fewer at the peak.
      expect(submits).toBe(codes.length);
      for (const code of codes) {
        expect(await statusOf(engine.db, code.accountId, code.sending.id)).toBe('Processing');
      }
      expect(mostOutstanding).toBe(window);
    },
  );
});
