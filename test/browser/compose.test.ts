// Compose in the browser: sending is confirmed first with what it costs, a schedule in the past is refused before
// anything is sent, and a draft's recipients read as a draft's, not as queued messages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { ruleText, windowTexts } from '../../src/domain/texts.js';
import { describeWithChromium } from '../support/browser.js';
import { accountId, call, useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const CUSTOMER = { email: 'owner@careful.example', password: 'correct horse battery', company: 'Careful Ltd' };
const RECIPIENTS = ['447400123456', '37126123456'];
const PAST = 'The schedule is in the past: choose a later date and time, or send at once.';

function stat(page: Page, label: string) {
  return page.locator('dd').and(page.getByLabel(label, { exact: true }));
}

async function campaignCount(page: Page): Promise<number> {
  return (await call<{ total: number }>(page, 'GET', '/sendings')).body.total;
}

async function fillCompose(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/app/compose`);
  await page.getByLabel('Message text').fill('Your table is booked for 8 pm.');
  await page.getByLabel('Phone numbers').fill(RECIPIENTS.join('\n'));
  await page.getByText(/covers this sending/).waitFor({ timeout: 10_000 });
}

describeWithChromium('compose in Chromium', () => {
  const app = useBrowserTest();
  let page: Page;

  beforeAll(async () => {
    page = await app.signedUp(CUSTOMER, { credit: '10' });
  }, STEP_MS);

  it(
    'asks before sending, naming the recipients and the total; cancelling sends nothing',
    async () => {
      await fillCompose(page, app.server.url);
      const total = await stat(page, 'Total').textContent();
      expect(total).toMatch(/^€0\.\d+$/);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Send this message?' });
      await confirm.getByText(`2 recipients, ${total} — send?`).waitFor();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'hidden' });
      expect(await campaignCount(page)).toBe(0);

      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await confirm.getByRole('button', { name: 'Send', exact: true }).click();
      await page.waitForURL(/\/app\/campaigns\/\d+$/);
      expect(await campaignCount(page)).toBe(1);
    },
    STEP_MS,
  );

  it(
    'refuses a schedule in the past with a clear message, and sends nothing',
    async () => {
      await fillCompose(page, app.server.url);
      await page.getByLabel('Schedule for later').check();
      await page.getByLabel('Send at (your local time)').fill('2020-01-01T10:00');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByText(PAST).waitFor();
      await expect(page.getByLabel('Send at (your local time)').getAttribute('aria-invalid')).resolves.toBe('true');
      expect(await page.getByRole('alertdialog').count()).toBe(0);
      await page.getByRole('button', { name: 'Save as draft' }).click();
      await page.getByText(PAST).waitFor();
      expect(await campaignCount(page)).toBe(1);
    },
    STEP_MS,
  );

  it(
    "shows a scheduled draft's recipients as a draft's, not as queued",
    async () => {
      await fillCompose(page, app.server.url);
      await page.getByLabel('Schedule for later').check();
      await page.getByLabel('Send at (your local time)').fill('2099-06-01T08:00');
      await page.getByRole('button', { name: 'Save as draft' }).click();
      await page.waitForURL(/\/app\/campaigns\/\d+$/);
      await page.getByRole('status').filter({ hasText: 'Status: Draft' }).waitFor();
      const rows = page.getByRole('row').filter({ hasText: /^\s*\d{8,}/ });
      await expect.poll(() => rows.count()).toBe(2);
      for (const row of await rows.all()) {
        await row.getByText('Draft', { exact: true }).waitFor();
        expect(await row.getByText('Queued', { exact: true }).count()).toBe(0);
      }
    },
    STEP_MS,
  );

  it(
    'takes optional quiet hours and validity: a malformed window refused at its field, a good one stored on the sending',
    async () => {
      await fillCompose(page, app.server.url);
      await page.getByLabel('Send window (optional)').fill('25:00-07:00');
      await page.getByLabel('Validity in minutes (optional)').fill('90');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Send this message?' });
      await confirm.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByText(windowTexts.sendWindowFormat).waitFor();
      await expect(page.getByLabel('Send window (optional)').getAttribute('aria-invalid')).resolves.toBe('true');
      const before = await campaignCount(page);

      await page.getByLabel('Send window (optional)').fill('08:00-20:00');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await confirm.getByRole('button', { name: 'Send', exact: true }).click();
      await page.waitForURL(/\/app\/campaigns\/\d+$/);
      expect(await campaignCount(page)).toBe(before + 1);
      const id = /\/campaigns\/(\d+)$/.exec(page.url())?.[1];
      const { token } = await app.server.cli<{ token: string }>(['token', 'create', String(await accountId(page))]);
      const shown = await fetch(`${app.server.url}/sendings/${id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await shown.json()) as { sending: unknown }).sending).toMatchObject({
        send_window: '08:00-20:00',
        validity_minutes: 90,
      });
    },
    STEP_MS,
  );

  it(
    'lists, before Send, a recipient a route rule would refuse at a loss, with the words sending it would be refused with',
    async () => {
      const refused = await app.signedUp(
        { email: 'owner@thrifty.example', password: 'correct horse battery', company: 'Thrifty Ltd' },
        { credit: '10' },
      );
      const folder = mkdtempSync(join(tmpdir(), 'smsgic-compose-loss-'));
      try {
        // A part to Latvia costs far more at the sandbox than this account's rate; the United Kingdom does not.
        writeFileSync(join(folder, 'sandbox.csv'), 'mcc,mnc,cost\n247,,1.0000\n');
        await app.server.cli(['costs', 'import', 'sandbox', join(folder, 'sandbox.csv'), '--currency', 'GBP']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
      const id = String(await accountId(refused));
      await app.server.cli(
        ['routes', 'add', '--strategy', 'fixed', '--providers', 'sandbox', '--mcc', '247'].concat([
          '--account',
          id,
          '--loss',
          'refuse',
        ]),
      );
      await fillCompose(refused, app.server.url);
      await refused.getByText('1 recipient will not be sent').waitFor();
      const reason = ruleText.noRouteAtRate('recipients.1');
      await refused.getByText(reason).waitFor();
      const total = await stat(refused, 'Total').textContent();
      const ukOnly = await call<{ total: string }>(refused, 'POST', '/price', {
        message: 'Your table is booked for 8 pm.',
        recipients: [RECIPIENTS[0]],
      });
      expect(total).toContain(ukOnly.body.total);
    },
    STEP_MS,
  );

  it(
    "keeps a draft's quiet hours and validity: shown when it is opened again in Compose, applied when it is sent",
    async () => {
      await fillCompose(page, app.server.url);
      await page.getByLabel('Send window (optional)').fill('09:30-18:00');
      await page.getByLabel('Validity in minutes (optional)').fill('45');
      await page.getByRole('button', { name: 'Save as draft' }).click();
      await page.waitForURL(/\/app\/campaigns\/\d+$/);
      const id = /\/campaigns\/(\d+)$/.exec(page.url())?.[1];

      await page.goto(`${app.server.url}/app/compose?draft=${id}`);
      await expect.poll(() => page.getByLabel('Message text').inputValue()).toBe('Your table is booked for 8 pm.');
      expect(await page.getByLabel('Send window (optional)').inputValue()).toBe('09:30-18:00');
      expect(await page.getByLabel('Validity in minutes (optional)').inputValue()).toBe('45');
      await page.getByText(/covers this sending/).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Send this message?' });
      await confirm.getByRole('button', { name: 'Send', exact: true }).click();
      await page.waitForURL(new RegExp(`/app/campaigns/${id}$`));
      const { token } = await app.server.cli<{ token: string }>(['token', 'create', String(await accountId(page))]);
      const shown = await fetch(`${app.server.url}/sendings/${id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await shown.json()) as { sending: unknown }).sending).toMatchObject({
        send_window: '09:30-18:00',
        validity_minutes: 45,
        expires_at: expect.any(String),
      });
    },
    STEP_MS,
  );
});
