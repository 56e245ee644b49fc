// The operator's Margin page: after real sendings through the sandbox, it shows what the ledger kept as revenue, a chart
// per day, a table that switches between groupings, and a CSV export of the table that downloads.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatMinor } from '../../src/domain/money.js';
import type { Page as Listing, TransactionView } from '../../src/http/dashboard/contract.js';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { accountId, call, signIn, signUp } from './pages.js';

const STEP_MS = 120_000;
const OPERATOR = { email: 'ops@margin.example', password: 'operator password 42' };
const CUSTOMER = { email: 'owner@margin.example', password: 'correct horse battery', company: 'Margin Ltd' };
/** The sandbox by last digits: 0001 undelivered (charged), 0004 refused (refunded); else delivered. */
/** 1 GBP in EUR, in millionths, as data/rates/conversion-rates.csv ships it. */
const EUR_PER_GBP_PPM = 1_140_000;
const RECIPIENTS = ['447400120001', '447400120004', '447400123456', '37126123456', '37126120004'];

function stat(page: Page, label: string) {
  return page.locator('dd').and(page.getByLabel(label, { exact: true }));
}

/** A ledger amount ("-0.0410") in minor units, exactly. */
function minorOf(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}

describeWithChromium("the operator's margin page", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    await server.cli(['admin', 'create', '--email', OPERATOR.email, '--password', OPERATOR.password]);
    // The sandbox's cost list replaced by one whose figures the test knows: 0.0200 GBP a part to the UK, 0.0300 to
    // Latvia, country-wide.
    const file = join(mkdtempSync(join(tmpdir(), 'smsgic-margin-')), 'sandbox.csv');
    writeFileSync(file, 'mcc,mnc,cost\n234,,0.0200\n247,,0.0300\n');
    await server.cli(['costs', 'import', 'sandbox', file, '--currency', 'GBP']);
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'shows the revenue the ledger kept, switches grouping, and exports the table as CSV',
    async () => {
      const customer = await (await browser.newContext()).newPage();
      await signUp(customer, server.url, CUSTOMER);
      await server.cli(['credit', String(await accountId(customer)), '10']);
      const sent = await call<{ id: number }>(customer, 'POST', '/sendings', {
        message: 'Your parcel is on its way.',
        recipients: RECIPIENTS,
        sender: 'SMSgic',
      });
      expect(sent.status).toBe(201);
      await expect
        .poll(async () => (await call<{ status: string }>(customer, 'GET', `/sendings/${sent.body.id}`)).body.status, {
          timeout: 30_000,
        })
        .toBe('Completed');
      const ledger = (await call<Listing<TransactionView>>(customer, 'GET', '/transactions?per_page=100')).body.data;
      const kept = -ledger
        .filter((entry) => entry.kind === 'reservation' || entry.kind === 'refund')
        .reduce((sum, entry) => sum + minorOf(entry.amount), 0n);
      const refunded = ledger.filter((e) => e.kind === 'refund').reduce((sum, e) => sum + minorOf(e.amount), 0n);
      expect(refunded).toBeGreaterThan(0n);
      const revenue = formatMinor(Number(kept));

      const ops = await (await browser.newContext({ acceptDownloads: true })).newPage();
      await signIn(ops, server.url, OPERATOR);
      await ops.getByRole('link', { name: 'Margin' }).click();
      await ops.getByRole('heading', { name: 'Margin', level: 1 }).waitFor();
      const totals = ops.getByRole('region', { name: 'Totals in EUR' });
      await totals.waitFor();
      await expect(stat(ops, 'Revenue').textContent()).resolves.toBe(`€${revenue}`);
      // The sandbox took 3 of the 5 (two to the UK, one to Latvia), each one part; each cost converted from GBP to the
      // account's EUR at the platform's rate of data/rates/conversion-rates.csv (1.14), rounded up: 228 + 228 + 342.
      const cost = 2 * Math.ceil((200 * EUR_PER_GBP_PPM) / 1_000_000) + Math.ceil((300 * EUR_PER_GBP_PPM) / 1_000_000);
      await expect(stat(ops, 'Provider cost').textContent()).resolves.toBe(`€${formatMinor(cost)}`);
      const margin = formatMinor(Number(kept) - cost);
      await expect(stat(ops, 'Margin').textContent()).resolves.toBe(`€${margin}`);
      await ops.getByRole('img', { name: 'Revenue, provider cost and margin in EUR per day' }).waitFor();

      const table = ops.getByRole('region', { name: 'By Day' }).getByRole('table');
      const today = (await table.getByRole('rowheader').allTextContents())[0] ?? '';
      expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      await ops.getByLabel('Group by').selectOption('country');
      const byCountry = ops.getByRole('region', { name: 'By Country' }).getByRole('table');
      await byCountry.waitFor();
      expect((await byCountry.getByRole('rowheader').allTextContents()).sort()).toEqual(['Latvia', 'United Kingdom']);
      const uk = byCountry.getByRole('row', { name: /United Kingdom/ });
      // Three messages to the UK: one refused and refunded; the cost of the two the sandbox took is known.
      const ukCells = await uk.getByRole('cell').allTextContents();
      expect([ukCells[0], ukCells[1], ukCells[6]]).toEqual(['EUR', '3', '0']);

      await ops.getByLabel('Group by').selectOption('provider');
      const byProvider = ops.getByRole('region', { name: 'By Provider' }).getByRole('table');
      await byProvider.getByRole('rowheader', { name: 'sandbox' }).waitFor();

      const [download] = await Promise.all([
        ops.waitForEvent('download'),
        ops.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^margin-provider-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync(await download.path(), 'utf8')
        .trim()
        .split('\r\n');
      expect(csv[0]).toBe('currency,group,name,messages,charged,refunded,revenue,cost,cost_unknown,margin');
      expect(csv).toContain(
        `EUR,sandbox,sandbox,5,${formatMinor(Number(kept + refunded))},${formatMinor(Number(refunded))},${revenue},${formatMinor(cost)},0,${margin}`,
      );
    },
    STEP_MS,
  );
});
