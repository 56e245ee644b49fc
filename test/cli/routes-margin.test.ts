// `smsgic routes test` with the real cost lists: each provider's cost of a part beside the customer's rate and the
// margin, and whether the rule would refuse to send at a loss.
import { beforeAll, expect, it } from 'vitest';
import { formatMinor } from '../../src/domain/money.js';
import { replaceCostList } from '../../src/store/provider-costs.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

const STEP_MS = 180_000;
/** Network 247 02: 0.0410 GBP a part in the sample default price list. */
const LATVIA = '37126000001';
const RATE = 410;
const SANDBOX_COST = 600;
/** 0.0500 USD: 0.0400 GBP at 1.25 USD a pound, rounded up. */
const INFOBIP_COST_USD = 500;

interface MarginJson {
  readonly currency: string;
  readonly rate: string | null;
  readonly candidates: readonly {
    provider: string;
    cost: string | null;
    cost_currency: string | null;
    cost_converted: string | null;
    margin: string | null;
  }[];
  readonly at_loss: boolean;
  readonly refused: boolean;
}

describeEachEngine('smsgic routes test with the cost lists', (engine) => {
  it(
    "shows each provider's cost, the customer's rate and the margin, and when the rule refuses at a loss",
    async () => {
      const url = engine.url;
      const replaced = await replaceCostList(engine.db, 'sandbox', 'GBP', [
        { mcc: '247', mnc: null, costMinor: SANDBOX_COST },
      ]);
      expect(replaced.ok).toBe(true);
      const losing = (await ok<{ id: number }>(url, 'account', 'create', '--name', 'Losing')).id;
      const saved = (await ok<{ id: number }>(url, 'account', 'create', '--name', 'Saved')).id;
      const sending = (await ok<{ id: number }>(url, 'account', 'create', '--name', 'Sending')).id;
      const rule = (account: number, providers: string, loss: string) =>
        ok<{ id: number }>(
          url,
          'routes',
          'add',
          '--strategy',
          'least_cost',
          '--providers',
          providers,
          '--mcc',
          '247',
          '--account',
          String(account),
          '--loss',
          loss,
        );
      const refusing = await rule(losing, 'sandbox', 'refuse');
      await rule(saved, 'sandbox,infobip', 'refuse');
      const sendingAnyway = await rule(sending, 'sandbox', 'send');

      const refused = await ok<{ providers: string[]; margin: MarginJson }>(
        url,
        'routes',
        'test',
        LATVIA,
        '--account',
        String(losing),
      );
      expect(refused.margin).toEqual({
        currency: 'GBP',
        rate: formatMinor(RATE),
        candidates: [
          {
            provider: 'sandbox',
            cost: formatMinor(SANDBOX_COST),
            cost_currency: 'GBP',
            cost_converted: formatMinor(SANDBOX_COST),
            margin: formatMinor(RATE - SANDBOX_COST),
          },
        ],
        at_loss: true,
        refused: true,
      });
      const text = await smsgic(url, ['routes', 'test', LATVIA, '--account', String(losing)]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/PROVIDER +COST +COST \(GBP\) +RATE +MARGIN/);
      expect(text.stdout).toMatch(/sandbox +£0\.0600 +£0\.0600 +£0\.0410 +-£0\.0190/);
      expect(text.stdout).toContain(`rule ${refusing.id} refuses to send at a loss`);

      // A cheaper provider in another currency: converted, first in least-cost order, not at a loss.
      expect(
        (await replaceCostList(engine.db, 'infobip', 'USD', [{ mcc: '247', mnc: null, costMinor: INFOBIP_COST_USD }]))
          .ok,
      ).toBe(true);
      const cheaper = await ok<{ providers: string[]; margin: MarginJson }>(
        url,
        'routes',
        'test',
        LATVIA,
        '--account',
        String(saved),
      );
      expect(cheaper.providers).toEqual(['infobip', 'sandbox']);
      expect(cheaper.margin).toMatchObject({ at_loss: false, refused: false });
      const infobip = cheaper.margin.candidates[0];
      expect(infobip).toMatchObject({ provider: 'infobip', cost: formatMinor(INFOBIP_COST_USD), cost_currency: 'USD' });
      expect(Number(infobip?.cost_converted)).toBeLessThan(RATE / 10_000);
      const savedText = await smsgic(url, ['routes', 'test', LATVIA, '--account', String(saved)]);
      expect(savedText.stdout).toContain('Not at a loss');

      const sendText = await smsgic(url, ['routes', 'test', LATVIA, '--account', String(sending)]);
      expect(sendText.stdout).toContain(`rule ${sendingAnyway.id} sends at a loss anyway`);
    },
    STEP_MS,
  );
});
