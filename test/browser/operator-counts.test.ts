// The operator's two views of traffic count "not delivered" alike: Provider health and Platform volume show the same
// number for the same messages (undelivered, expired, rejected at submission or by the network).
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { call, useBrowserTest } from './pages.js';

const STEP_MS = 90_000;
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };
const CUSTOMER = { email: 'owner@traffic.example', password: 'correct horse battery', company: 'Traffic Ltd' };
/** The sandbox by last digits: 0001 undelivered, 0002 expired, 0003 rejected by the network, 0004 refused; else delivered. */
const RECIPIENTS = ['447400120001', '447400120002', '447400120003', '447400120004', '447400123456', '37126123456'];

function stat(page: Page, label: string) {
  return page.locator('dd').and(page.getByLabel(label, { exact: true }));
}

describeWithChromium("the operator's counts of messages not delivered", () => {
  const app = useBrowserTest({ operator: OPERATOR });

  it(
    'shows the same number on Provider health and Platform volume for the same traffic',
    async () => {
      const page = await app.signedUp(CUSTOMER, { credit: '10' });
      const sent = await call<{ id: number }>(page, 'POST', '/sendings', {
        message: 'Your parcel is on its way.',
        recipients: RECIPIENTS,
        sender: 'SMSgic',
      });
      expect(sent.status).toBe(201);
      await expect
        .poll(async () => (await call<{ status: string }>(page, 'GET', `/sendings/${sent.body.id}`)).body.status, {
          timeout: 30_000,
        })
        .toBe('Completed');
      await page.goto(`${app.server.url}/app/campaigns`);
      await page.getByText('4 not delivered').waitFor();

      const ops = await app.signedIn(OPERATOR);
      await ops.goto(`${app.server.url}/app/admin/providers`);
      const sandbox = ops.getByRole('row', { name: /sandbox/i });
      await sandbox.waitFor();
      await expect(ops.getByRole('columnheader', { name: 'Not delivered' }).count()).resolves.toBe(1);
      const cells = await sandbox.getByRole('cell').allTextContents();
      const headers = await ops.getByRole('columnheader').allTextContents();
      const onProviders = cells[headers.indexOf('Not delivered') - 1];

      await ops.goto(`${app.server.url}/app/admin/volume`);
      const onVolume = await stat(ops, 'Not delivered').textContent();
      expect({ onProviders, onVolume }).toEqual({ onProviders: '4', onVolume: '4' });
    },
    STEP_MS,
  );
});
