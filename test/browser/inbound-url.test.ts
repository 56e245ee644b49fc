// The inbound URL card on the Settings page in a real browser: set, refused with the reason under the field when it
// names an internal address, and cleared; what the page shows is what the dashboard API holds.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InboundUrlView } from '../../src/http/dashboard/contract.js';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';

const STEP_MS = 90_000;
const CUSTOMER = { email: 'owner@inbound-shop.example', password: 'correct horse battery', company: 'Inbound Shop' };

function inboundUrlOf(page: Page): Promise<InboundUrlView> {
  return page.evaluate(async () => {
    const response = await fetch('/app/api/inbound-url', { headers: { Accept: 'application/json' } });
    return (await response.json()) as InboundUrlView;
  });
}

describeWithChromium('inbound URL in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'sets the URL, shows why an internal address is refused, and clears it',
    async () => {
      await page.goto(`${server.url}/app/signup`);
      await page.getByLabel('Work email').fill(CUSTOMER.email);
      await page.getByLabel('Password').fill(CUSTOMER.password);
      await page.getByLabel('Company').fill(CUSTOMER.company);
      await page.getByLabel('Currency').selectOption('EUR');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Inbound messages' }).waitFor();
      await page.getByText('Received messages are not sent anywhere').waitFor();

      const field = page.getByLabel('Inbound URL');
      await field.fill('https://hooks.inbound-shop.example/sms');
      await page.getByRole('button', { name: 'Save URL' }).click();
      await page.getByText('Received messages are POSTed to https://hooks.inbound-shop.example/sms.').waitFor();
      expect(await inboundUrlOf(page)).toEqual({ inbound_url: 'https://hooks.inbound-shop.example/sms' });

      await field.fill('http://127.0.0.1:9000/sms');
      await page.getByRole('button', { name: 'Save URL' }).click();
      await page
        .getByText('The callback url must not point to a private, loopback, link-local or multicast address.')
        .waitFor();
      expect(await inboundUrlOf(page)).toEqual({ inbound_url: 'https://hooks.inbound-shop.example/sms' });

      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByText('Received messages are not sent anywhere').waitFor();
      expect(await field.inputValue()).toBe('');
      expect(await inboundUrlOf(page)).toEqual({ inbound_url: null });
    },
    STEP_MS,
  );
});
