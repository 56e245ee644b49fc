// The dashboard in Latvian and Russian: chosen on the sign-in page (or taken from the browser's language), with the
// slogan, the labels and the navigation in the language, money in its format; the choice outlives a reload and a new
// sign-in. Every page, the customer's and the operator's, shows none of its English texts in either language, and fits
// a phone with the longer words.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { accountId, call, signUp } from './pages.js';

const STEP_MS = 120_000;
/** The sandbox refuses these numbers; the campaign is scheduled a day ahead, so it only waits on the overview. */
const RECIPIENTS = ['447400120004'];
const CUSTOMER = { email: 'owner@latvian.example', password: 'correct horse battery', company: 'Latvian Ltd' };
const OPERATOR = { email: 'ops@smsgic.example', password: 'operator password 42' };

/** The pages of a customer and of an operator, by their path under /app. */
const CUSTOMER_PAGES = [
  '',
  '/compose',
  '/campaigns',
  '/opt-outs',
  '/transactions',
  '/senders',
  '/rates',
  '/tokens',
  '/settings',
];
const OPERATOR_PAGES = [
  '/admin/accounts',
  '/admin/senders',
  '/admin/rates',
  '/admin/providers',
  '/admin/volume',
  '/admin/numbers',
];

/** Texts the dashboard shows in English: a page in another language shows none of them. */
const ENGLISH = [
  'Overview',
  'Compose',
  'Campaigns',
  'Opt-outs',
  'Balance & transactions',
  'API tokens',
  'Settings',
  'Sign out',
  'Loading',
  'Recent campaigns',
  'Quick links',
  'Message text',
  'Phone numbers',
  'Sending options',
  'All statuses',
  'Export CSV',
  'Import CSV',
  'Add numbers',
  'Add to opt-outs',
  'Opted-out numbers',
  'Search numbers',
  'Current balance',
  'Tax rate',
  'Top up',
  'Sender name',
  'Request sender',
  'Your senders',
  'Apply filters',
  'Price per part',
  'All networks',
  'Create a token',
  'Token name',
  'Create token',
  'Your tokens',
  'Use the API',
  'Download the Postman collection',
  'Profile',
  'Change password',
  'Webhook secret',
  'Rotate secret',
  'Reveal',
  'Sending controls',
  'Daily spend limit',
  'Save controls',
  'Assign a number',
  'Assigned numbers',
  'Accounts',
  'New account',
  'Search accounts',
  'Sender approvals',
  'Requests',
  'Price lists',
  'Platform default',
  'Import rates',
  'Load a CSV file',
  'Provider health',
  'Last hour',
  'Refresh',
  'Platform volume',
  'Messages per day',
  'Per day',
  'Delivered',
  'Not delivered',
  'Status',
  'Created',
  'Credit',
  'Suspend',
];

/** The English texts the page shows (whole words, as written). */
async function englishOn(page: Page): Promise<string[]> {
  const text = (await page.evaluate('document.body.innerText')) as string;
  return ENGLISH.filter((english) => {
    const escaped = english.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}])${escaped}($|[^\\p{L}])`, 'u').test(text);
  });
}

/** Whether the page is wider than its window. */
function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > window.innerWidth') as Promise<boolean>;
}

/** What Intl writes for an amount in euros in Latvia, with the balance's three decimals ("12,500 €"). */
function latvianEuros(amount: number): string {
  return new Intl.NumberFormat('lv-LV', { style: 'currency', currency: 'EUR', minimumFractionDigits: 3 }).format(
    amount,
  );
}

function documentLanguage(page: Page): Promise<string> {
  return page.evaluate('document.documentElement.lang') as Promise<string>;
}

/** Whether the page is wider than its window, or the element sticks out of it. */
function sticksOut(page: Page, selector: string): Promise<boolean> {
  return page.evaluate(`(() => {
    const box = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
    return document.documentElement.scrollWidth > window.innerWidth || box.left < 0 || box.right > window.innerWidth;
  })()`) as Promise<boolean>;
}

describeWithChromium('the dashboard in Latvian', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    const page = await (await browser.newContext()).newPage();
    await signUp(page, server.url, CUSTOMER);
    await server.cli(['credit', String(await accountId(page)), '12.5']);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    const sent = await call(page, 'POST', '/sendings', {
      message: 'Jūsu sūtījums ir ceļā.',
      recipients: RECIPIENTS,
      sender: 'SMSgic',
      schedule: tomorrow,
    });
    expect(sent.status).toBe(201);
    await page.context().close();
    await server.cli(['admin', 'create', '--email', OPERATOR.email, '--password', OPERATOR.password]);
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'is chosen on the sign-in page and kept through sign-in, navigation and a reload',
    async () => {
      const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
      await page.goto(`${server.url}/app/signin`);
      await page.getByText('We deliver, you earn').waitFor();
      expect(await documentLanguage(page)).toBe('en');

      await page.getByLabel('Language').selectOption({ label: 'Latviešu' });
      await page.getByText('Mēs piegādājam, jūs nopelnāt').waitFor();
      await page.getByRole('heading', { name: 'Pieteikties', level: 1 }).waitFor();
      expect(await documentLanguage(page)).toBe('lv');
      await page.getByLabel('E-pasts').fill(CUSTOMER.email);
      await page.getByLabel('Parole').fill(CUSTOMER.password);
      await page.getByRole('button', { name: 'Pieteikties' }).click();

      const nav = page.getByRole('navigation', { name: 'Galvenā' });
      await nav.getByRole('link', { name: 'Pārskats' }).waitFor();
      for (const label of ['Rakstīt', 'Kampaņas', 'Atteikumi', 'Atlikums un darījumi', 'Iestatījumi']) {
        await nav.getByRole('link', { name: label }).waitFor();
      }
      const balance = page.getByRole('link', { name: /^Atlikums:/ });
      const me = await call<{ account: { balance: string } }>(page, 'GET', '/me');
      expect(await balance.textContent()).toBe(`Atlikums: ${latvianEuros(Number(me.body.account.balance))}`);
      expect(latvianEuros(12.5)).toMatch(/^12,500\s€$/);

      await page.getByRole('heading', { name: 'Pārskats', level: 1 }).waitFor();
      const campaign = await call<{ data: { total: string; created_at: string }[] }>(page, 'GET', '/sendings');
      const [latest] = campaign.body.data;
      const row = page.getByRole('table', { name: 'Piecas jaunākās kampaņas' }).getByRole('row').nth(1);
      await row.waitFor();
      const cells = await row.getByRole('cell').allTextContents();
      const created = new Date(latest?.created_at ?? '');
      const thisYear = new Intl.DateTimeFormat('lv-LV', {
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      });
      expect(cells).toContain(thisYear.format(created));
      expect(cells).toContain(
        new Intl.NumberFormat('lv-LV', {
          style: 'currency',
          currency: 'EUR',
          minimumFractionDigits: 3,
          maximumFractionDigits: Math.max(3, latest?.total.split('.')[1]?.length ?? 3),
        }).format(Number(latest?.total)),
      );
      await page.getByRole('columnheader', { name: 'Izmaksas' }).waitFor();
      expect(cells).toContain('Gaida');

      await nav.getByRole('link', { name: 'Rakstīt' }).click();
      await page.getByRole('heading', { name: 'Rakstīt', level: 1 }).waitFor();
      await page.getByLabel('Ziņas teksts').fill('Labdien!');
      await page.getByLabel('Tālruņa numuri').fill('37126123456\n37126123457\n37126123457');
      await page.getByText('2 saņēmēji').first().waitFor();
      await page.getByText('(izņemts 1 dublikāts)').waitFor();
      await page.getByText(/^Kopā .+: 2 saņēmēji, katram 1 daļa\.$/).waitFor();

      await nav.getByRole('link', { name: 'Kampaņas' }).click();
      await page.getByRole('heading', { name: 'Kampaņas', level: 1 }).waitFor();
      await page.getByRole('table', { name: 'Kampaņas' }).getByText('Gaida').waitFor();
      await page
        .getByRole('link', { name: /^#\d+$/ })
        .first()
        .click();
      await page.getByRole('status').filter({ hasText: 'Statuss: Gaida' }).waitFor();
      await page.getByRole('button', { name: 'Atcelt kampaņu' }).waitFor();

      await nav.getByRole('link', { name: 'Atlikums un darījumi' }).click();
      await page.getByRole('heading', { name: 'Atlikums un darījumi', level: 1 }).waitFor();
      const credit = page.getByRole('row').filter({ hasText: 'Papildinājums' });
      await credit.getByRole('cell', { name: `+${latvianEuros(12.5)}`, exact: true }).waitFor();

      await page.reload();
      await page.getByRole('navigation', { name: 'Galvenā' }).getByRole('link', { name: 'Kampaņas' }).waitFor();
      expect(await page.getByLabel('Valoda').inputValue()).toBe('lv');
      expect(await documentLanguage(page)).toBe('lv');

      await page.getByRole('button', { name: 'Iziet' }).click();
      await page.getByRole('heading', { name: 'Pieteikties', level: 1 }).waitFor();
      await page.getByLabel('Valoda').selectOption({ label: 'English' });
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await page.reload();
      await page.getByText('We deliver, you earn').waitFor();
      await page.context().close();
    },
    STEP_MS,
  );

  it(
    "follows the browser's language until one is chosen",
    async () => {
      const page = await (await browser.newContext({ locale: 'lv-LV' })).newPage();
      await page.goto(`${server.url}/app/signup`);
      await page.getByRole('heading', { name: 'Izveidojiet savu kontu', level: 1 }).waitFor();
      await page.getByLabel('Darba e-pasts').waitFor();
      await page.getByText('Mēs piegādājam, jūs nopelnāt').waitFor();
      await page.context().close();
    },
    STEP_MS,
  );

  it(
    'fits a phone and a laptop with its longer words',
    async () => {
      for (const viewport of [
        { width: 390, height: 844 },
        { width: 1280, height: 800 },
      ]) {
        const page = await (await browser.newContext({ locale: 'lv-LV', viewport })).newPage();
        await page.goto(`${server.url}/app/signin`);
        await page.getByRole('heading', { name: 'Pieteikties', level: 1 }).waitFor();
        expect(await sticksOut(page, '.language-switch'), `${viewport.width}px sign-in`).toBe(false);
        await page.getByLabel('E-pasts').fill(CUSTOMER.email);
        await page.getByLabel('Parole').fill(CUSTOMER.password);
        await page.getByRole('button', { name: 'Pieteikties' }).click();
        await page.getByRole('link', { name: /^Atlikums:/ }).waitFor();
        for (const selector of ['.topbar .language-switch', '.topbar-user .btn', '.topbar-balance']) {
          expect(await sticksOut(page, selector), `${viewport.width}px ${selector}`).toBe(false);
        }
        await page.context().close();
      }
    },
    STEP_MS,
  );
  it.each([
    { language: 'lv', locale: 'lv-LV', signIn: 'Pieteikties', email: 'E-pasts', password: 'Parole' },
    { language: 'ru', locale: 'ru-RU', signIn: 'Войти', email: 'Эл. почта', password: 'Пароль' },
  ])(
    'shows no English text on any page in $language, and no page scrolls sideways on a phone',
    async ({ language, locale, signIn, email, password }) => {
      for (const [who, paths] of [
        [CUSTOMER, CUSTOMER_PAGES],
        [OPERATOR, OPERATOR_PAGES],
      ] as const) {
        const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
        const page = await context.newPage();
        await page.goto(`${server.url}/app/signin`);
        await page.getByRole('heading', { name: signIn, level: 1 }).waitFor();
        expect(await documentLanguage(page)).toBe(language);
        await page.getByLabel(email).fill(who.email);
        await page.getByLabel(password).fill(who.password);
        await page.getByRole('button', { name: signIn }).click();
        await page.locator('.topbar-user .btn').waitFor();
        const languages = page.locator('.topbar .language-switch');
        expect(await languages.inputValue()).toBe(language);
        expect(await languages.locator('option').allTextContents()).toEqual(['English', 'Latviešu', 'Русский']);
        for (const path of paths) {
          await page.goto(`${server.url}/app${path}`);
          await page.getByRole('heading', { level: 1 }).waitFor();
          await expect.poll(() => page.locator('.loading').count(), { message: path }).toBe(0);
          await page.waitForLoadState('networkidle');
          expect(await englishOn(page), `${language} ${path}`).toEqual([]);
          expect(await scrollsSideways(page), `${language} ${path} at 390px`).toBe(false);
        }
        await context.close();
      }
    },
    STEP_MS,
  );
});
