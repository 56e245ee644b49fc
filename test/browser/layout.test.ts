// Every dashboard page, the customer's and the operator's, fits a laptop (1280×800) and a phone (390×844): the page
// never scrolls sideways, and no button, link or table cell is cut off by the window or by a scrolling box around it.
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithChromium, screenshotPath } from '../support/browser.js';
import { call, useBrowserTest } from './pages.js';

const STEP_MS = 180_000;
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;
const CUSTOMER = { email: 'owner@wide-tables.example', password: 'correct horse battery', company: 'Wide Tables Ltd' };
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };
const TEXT = 'Your order 12345 is ready for pickup at our Riga store. Show this message at the counter. Thanks!';

interface PageCheck {
  readonly path: string;
  readonly heading: string | RegExp;
  /** What shows once the page has its data. */
  readonly ready: (page: Page) => Locator;
  /** The page's actions, which must be on screen. */
  readonly actions: (page: Page) => Locator[];
}

/**
 * What sticks out: the page wider than the window, or an element cut off by the window or a scrolling box (run in
 * the page, written as text: the tests are compiled without the DOM's types).
 */
const OVERFLOW_SCRIPT = `(() => {
  const problems = [];
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) problems.push('the page is ' + scrollWidth + 'px wide in a ' + width + 'px window');
  for (const element of document.querySelectorAll('#main button, #main a, #main td, #main th, .topbar a')) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    let left = 0;
    let right = width;
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX === 'visible') continue;
      const frame = parent.getBoundingClientRect();
      left = Math.max(left, frame.left);
      right = Math.min(right, frame.right);
    }
    // Inside a box of a pixel or less: hidden on purpose, named for screen readers only.
    if (right - left <= 1) continue;
    if (box.left < left - 0.5 || box.right > right + 0.5) {
      const name = (element.getAttribute('aria-label') || element.textContent || '').trim().slice(0, 40);
      problems.push('<' + element.tagName.toLowerCase() + '> “' + name + '” spans ' + box.left + '–' + box.right +
        ', shown ' + left + '–' + right);
    }
  }
  return problems;
})()`;

function overflow(page: Page): Promise<string[]> {
  return page.evaluate(OVERFLOW_SCRIPT) as Promise<string[]>;
}

async function checkPages(page: Page, url: string, checks: readonly PageCheck[]): Promise<void> {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    for (const check of checks) {
      const where = `${check.path} at ${viewport.width}×${viewport.height}`;
      await page.goto(`${url}/app${check.path}`);
      await page.getByRole('heading', { name: check.heading, level: 1 }).waitFor();
      await check.ready(page).first().waitFor();
      await expect.poll(() => page.locator('.loading').count(), { message: where }).toBe(0);
      const name = `layout-${check.path.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'overview'}-${viewport.width}`;
      await page.screenshot({ path: screenshotPath(name.replace(/-\d+-/, '-detail-')), fullPage: true });
      expect(await overflow(page), where).toEqual([]);
      for (const action of check.actions(page)) {
        expect(await action.isVisible(), `${where}: ${action}`).toBe(true);
      }
    }
  }
}

describeWithChromium('every dashboard page at laptop and phone widths', () => {
  const app = useBrowserTest({ operator: OPERATOR, timeoutMs: STEP_MS });
  let campaignId = 0;

  it(
    "fits the customer's pages: no sideways scroll, every action on screen",
    async () => {
      const page = await app.signedUp(CUSTOMER, { credit: '10', note: 'Opening credit for the layout test' });
      await call(page, 'POST', '/tokens', { name: 'Warehouse integration for the EU shops' });
      await call(page, 'POST', '/senders', { name: 'WideTables' });
      const sent = await call<{ id: number }>(page, 'POST', '/sendings', {
        message: TEXT,
        recipients: ['447400123456', '37126123456'],
        sender: 'SMSgic',
      });
      expect(sent.status).toBe(201);
      campaignId = sent.body.id;
      await expect
        .poll(async () => (await call<{ status: string }>(page, 'GET', `/sendings/${campaignId}`)).body.status, {
          timeout: 30_000,
        })
        .toBe('Completed');
      await call(page, 'POST', '/opt-outs', { numbers: '447400123499' });

      await checkPages(page, app.server.url, [
        {
          path: '/',
          heading: 'Overview',
          ready: (p) => p.getByRole('link', { name: `#${campaignId}` }),
          actions: () => [],
        },
        {
          path: '/compose',
          heading: 'Compose',
          ready: (p) => p.getByLabel('Message text'),
          actions: (p) => [p.getByRole('button', { name: 'Send', exact: true })],
        },
        {
          path: '/campaigns',
          heading: 'Campaigns',
          ready: (p) => p.getByRole('link', { name: `#${campaignId}` }),
          actions: (p) => [p.getByRole('link', { name: `#${campaignId}` }), p.getByText('2 delivered')],
        },
        {
          path: `/campaigns/${campaignId}`,
          heading: /^Campaign #\d+/,
          ready: (p) => p.getByRole('row').filter({ hasText: 'Delivered' }),
          actions: () => [],
        },
        {
          path: '/opt-outs',
          heading: 'Opt-outs',
          ready: (p) => p.getByRole('row', { name: /\+447400123499/ }),
          actions: (p) => [
            p.getByRole('link', { name: 'Export CSV' }),
            p.getByText('Import CSV'),
            p.getByRole('button', { name: 'Add to opt-outs' }),
            p.getByRole('button', { name: 'History of +447400123499' }),
            p.getByRole('button', { name: 'Remove +447400123499' }),
          ],
        },
        {
          path: '/transactions',
          heading: 'Balance & transactions',
          ready: (p) => p.getByRole('row', { name: /Opening credit/ }),
          actions: (p) => [p.getByRole('link', { name: 'Export CSV' })],
        },
        {
          path: '/senders',
          heading: 'Senders',
          ready: (p) => p.getByRole('row', { name: /WideTables/ }),
          actions: (p) => [p.getByRole('button', { name: 'Request sender' })],
        },
        { path: '/rates', heading: 'Rates', ready: (p) => p.getByRole('row', { name: /Latvia/ }), actions: () => [] },
        {
          path: '/tokens',
          heading: 'API tokens',
          ready: (p) => p.getByRole('row', { name: /Warehouse integration/ }),
          actions: (p) => [p.getByRole('button', { name: 'Revoke Warehouse integration for the EU shops' })],
        },
        {
          path: '/settings',
          heading: 'Settings',
          ready: (p) => p.getByLabel('Current password', { exact: true }),
          actions: (p) => [p.getByRole('button', { name: 'Change password' })],
        },
      ]);
      await page.context().close();
    },
    STEP_MS,
  );

  it(
    "fits the operator's pages: no sideways scroll, every action on screen",
    async () => {
      const page = await app.signedIn(OPERATOR);
      const wide = await call<{ data: { id: number; name: string }[] }>(page, 'GET', '/admin/accounts?search=Wide');
      const wideId = wide.body.data.find((a) => a.name === CUSTOMER.company)?.id;
      await app.server.cli(['numbers', 'assign', '--account', String(wideId), '37125000000', '--keyword', 'TABLES']);
      await checkPages(page, app.server.url, [
        {
          path: '/admin/accounts',
          heading: 'Accounts',
          ready: (p) => p.getByRole('row', { name: /Wide Tables Ltd/ }),
          actions: (p) => [
            p.getByRole('button', { name: 'New account' }),
            p.getByRole('button', { name: 'Tax rate of Wide Tables Ltd' }),
            p.getByRole('button', { name: 'Credit Wide Tables Ltd' }),
            p.getByRole('button', { name: 'Suspend Wide Tables Ltd' }),
            p.getByRole('button', { name: 'Controls of Wide Tables Ltd' }),
          ],
        },
        {
          path: '/admin/numbers',
          heading: 'Numbers',
          ready: (p) => p.getByRole('row', { name: /37125000000/ }),
          actions: (p) => [
            p.getByRole('button', { name: 'Assign', exact: true }),
            p.getByRole('button', { name: 'Unassign 37125000000 TABLES' }),
          ],
        },
        {
          path: '/admin/senders',
          heading: 'Sender approvals',
          ready: (p) => p.getByRole('row', { name: /WideTables/ }),
          actions: (p) => [
            p.getByRole('button', { name: 'Approve WideTables' }),
            p.getByRole('button', { name: 'Reject WideTables' }),
          ],
        },
        {
          path: '/admin/rates',
          heading: 'Price lists',
          ready: (p) => p.getByRole('row', { name: /Latvia/ }),
          actions: (p) => [
            p.getByRole('button', { name: 'Import rates' }),
            p.getByRole('link', { name: 'Export CSV' }),
          ],
        },
        {
          path: '/admin/providers',
          heading: 'Provider health',
          ready: (p) => p.getByRole('row', { name: /sandbox/i }),
          actions: () => [],
        },
        {
          path: '/admin/costs',
          heading: 'Provider costs',
          ready: (p) => p.getByRole('row', { name: /^sandbox/ }),
          actions: (p) => [p.getByRole('link', { name: 'Export CSV' }), p.getByText('Choose a CSV file')],
        },
        {
          path: '/admin/volume',
          heading: 'Platform volume',
          ready: (p) => p.getByRole('img', { name: /Messages, delivered and not delivered per day/ }),
          actions: () => [],
        },
      ]);
      await page.context().close();
    },
    STEP_MS,
  );
});
