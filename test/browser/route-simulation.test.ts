// The Routes page's Simulate action: after real sendings through the sandbox, the rule in the form (Latvia to a
// provider with a cheaper cost list) is replayed over the last days and shown beside what happened; nothing is saved.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { accountId, call, signIn, signUp } from './pages.js';

const STEP_MS = 120_000;
const OPERATOR = { email: 'ops@simulate.example', password: 'operator password 42' };
const CUSTOMER = { email: 'owner@simulate.example', password: 'correct horse battery', company: 'Simulate Ltd' };
/** Latvian numbers the sandbox delivers. */
const RECIPIENTS = ['37126123456', '37126123457'];

describeWithChromium("the route table's simulation", () => {
  let server: TestServer;
  let browser: Browser;
  let folder: string;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    await server.cli(['admin', 'create', '--email', OPERATOR.email, '--password', OPERATOR.password]);
    folder = mkdtempSync(join(tmpdir(), 'smsgic-simulate-'));
    // The sandbox costs 0.0300 GBP a part to Latvia; twilio 0.0100; the proposed list of the sandbox 0.0500.
    writeFileSync(join(folder, 'sandbox.csv'), 'mcc,mnc,cost\n247,,0.0300\n');
    writeFileSync(join(folder, 'twilio.csv'), 'mcc,mnc,cost\n247,,0.0100\n');
    writeFileSync(join(folder, 'dearer.csv'), 'mcc,mnc,cost\n247,,0.0500\n');
    // Far above any rate of a part to Latvia: a rule refusing at a loss refuses every message.
    writeFileSync(join(folder, 'dearest.csv'), 'mcc,mnc,cost\n247,,1.0000\n');
    await server.cli(['costs', 'import', 'sandbox', join(folder, 'sandbox.csv'), '--currency', 'GBP']);
    await server.cli(['costs', 'import', 'twilio', join(folder, 'twilio.csv'), '--currency', 'GBP']);
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'simulates the rule in the form and an uploaded cost list beside what happened, saving nothing',
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

      const page = await (await browser.newContext()).newPage();
      await signIn(page, server.url, OPERATOR);
      await page.getByRole('link', { name: 'Routes' }).click();
      await page.getByRole('heading', { name: 'Route table' }).waitFor();
      await page.getByLabel('Strategy').selectOption('fixed');
      await page.getByLabel('Providers', { exact: true }).fill('twilio');
      await page.getByLabel('MCC', { exact: true }).fill('247');
      await page.getByLabel('Days').fill('3');
      await page.getByRole('button', { name: 'Simulate', exact: true }).click();

      const totals = page.getByRole('region', { name: /^Totals in / });
      await totals.waitFor();
      await totals.getByText('2 messages would go to another provider.').waitFor();
      const row = (name: string) => totals.getByRole('row', { name: new RegExp(`^${name}`) });
      // The account is in EUR: 2 × 0.0300 GBP at the recorded rate (1.14) is 2 × 0.0342; twilio's 2 × 0.0114.
      await page.getByRole('region', { name: 'Totals in EUR' }).waitFor();
      const cost = await row('Cost').first().locator('td').allTextContents();
      expect(cost[0]).toMatch(/0[.,]0684/);
      expect(cost[1]).toMatch(/0[.,]0228/);
      const margin = await row('Margin').locator('td').allTextContents();
      expect(margin[2]).toMatch(/^\+.*0[.,]0456/);
      const providers = page.getByRole('region', { name: 'By provider' });
      await providers.getByRole('row', { name: /^twilio/ }).waitFor();

      // Nothing was saved: the form still holds the rule, the table has only its default rule.
      await expect(page.getByLabel('MCC', { exact: true }).inputValue()).resolves.toBe('247');
      const listed = await server.cli<{ routes: unknown[] }>(['routes', 'list']);
      expect(listed.routes).toHaveLength(1);

      // A proposed cost list for the sandbox alone, without the rule: the sandbox keeps the traffic at 0.05.
      await page.getByLabel('With the rule in the form added').uncheck();
      await page.getByLabel('Proposed cost list for').selectOption('sandbox');
      await page.locator('input[type=file]').setInputFiles(join(folder, 'dearer.csv'));
      await page.getByText('dearer.csv chosen').waitFor();
      await page.getByRole('button', { name: 'Simulate', exact: true }).click();
      await totals.getByText('0 messages would go to another provider.').waitFor();
      const dearer = await row('Cost').first().locator('td').allTextContents();
      expect(dearer[1]).toMatch(/0[.,]1140/);

      // The rule sending Latvia by the sandbox alone and refusing at a loss, with a sandbox list dearer than the rate:
      // both messages are refused, their revenue lost, none sent.
      await page.getByLabel('With the rule in the form added').check();
      await page.getByLabel('Providers', { exact: true }).fill('sandbox');
      await page.getByLabel('At a loss').selectOption('refuse');
      await page.locator('input[type=file]').setInputFiles(join(folder, 'dearest.csv'));
      await page.getByText('dearest.csv chosen').waitFor();
      await page.getByRole('button', { name: 'Simulate', exact: true }).click();
      const refusedText = totals.locator('[data-simulation=refused]');
      await refusedText.getByText(/^2 messages would be refused at a loss \(.+ of revenue lost\)\.$/).waitFor();
      const revenue = await row('Revenue').first().locator('td').allTextContents();
      const lost = await row('Revenue lost to refusals').locator('td').allTextContents();
      expect(lost[1]).toBe(revenue[0]);
      expect(await refusedText.textContent()).toContain(revenue[0]);
      expect(await row('Refused at a loss').locator('td').allTextContents()).toEqual(['', '2', '']);
      expect((await row('Messages').locator('td').allTextContents()).slice(0, 2)).toEqual(['2', '0']);
      await page.getByText('Every provider a rule names is assumed available.').waitFor();
      expect((await server.cli<{ routes: unknown[] }>(['routes', 'list'])).routes).toHaveLength(1);
    },
    STEP_MS,
  );
});
