// Country names in Latvian and Russian: the pages that show a country (the price list and its filter, Compose's price
// panel, a campaign's recipients, the sending controls, the operator's price lists, margin by country and an account's
// controls) name it in the dashboard's language, not in English as the server writes it.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { accountId, call, useBrowserTest } from './pages.js';

const STEP_MS = 120_000;
const OPERATOR = { email: 'ops@countries.example', password: 'operator password 42' };
const CUSTOMER = { email: 'owner@countries.example', password: 'correct horse battery', company: 'Countries Ltd' };
/** Delivered by the sandbox: one number in the United Kingdom, one in Latvia. */
const RECIPIENTS = ['447400123456', '37126123456'];

const LANGUAGES = [
  {
    language: 'lv',
    latvia: 'Latvija',
    uk: 'Apvienotā Karaliste',
    part: 'latvij',
    ukPart: 'karalis',
    messageText: 'Ziņas teksts',
    phoneNumbers: 'Tālruņa numuri',
    country: 'Valsts',
    apply: 'Lietot filtrus',
    sendsTo: 'Šis konts sūta uz: Apvienotā Karaliste, Latvija.',
    groupBy: 'Grupēt pēc',
    controls: 'Konta Countries Ltd kontrole',
    operatorSendsTo: 'Sūta uz: Apvienotā Karaliste, Latvija',
  },
  {
    language: 'ru',
    latvia: 'Латвия',
    uk: 'Великобритания',
    part: 'латв',
    ukPart: 'великобр',
    messageText: 'Текст сообщения',
    phoneNumbers: 'Телефонные номера',
    country: 'Страна',
    apply: 'Применить фильтры',
    sendsTo: 'Этот аккаунт отправляет: Великобритания, Латвия.',
    groupBy: 'Группировка',
    controls: 'Ограничения аккаунта Countries Ltd',
    operatorSendsTo: 'Отправляет в: Великобритания, Латвия',
  },
] as const;

/** The English names the server writes that the page shows (whole words). */
async function englishCountriesOn(page: Page): Promise<string[]> {
  const text = (await page.evaluate('document.body.innerText')) as string;
  return ['Latvia', 'United Kingdom'].filter((name) => new RegExp(`(^|[^\\p{L}])${name}($|[^\\p{L}])`, 'u').test(text));
}

/** Opens a page of the dashboard and waits for it to have loaded. */
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await expect.poll(() => page.locator('.loading').count(), { message: url }).toBe(0);
  await page.waitForLoadState('networkidle');
}

/** The names in the row headers of the page's last table (the price list's). */
async function rowHeaders(page: Page): Promise<string[]> {
  return page.getByRole('table').last().getByRole('rowheader').allTextContents();
}

/** Waits for the sandbox to have finished the sending (expect.poll is for tests, not their set-up). */
async function completed(page: Page, id: number): Promise<void> {
  const until = Date.now() + 30_000;
  while ((await call<{ status: string }>(page, 'GET', `/sendings/${id}`)).body.status !== 'Completed') {
    if (Date.now() > until) throw new Error(`sending ${id} did not complete`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describeWithChromium('country names in the dashboard in Latvian and Russian', () => {
  const app = useBrowserTest({ operator: OPERATOR });
  let sendingId = 0;

  beforeAll(async () => {
    const page = await app.signedUp(CUSTOMER, { credit: '10' });
    const sent = await call<{ id: number }>(page, 'POST', '/sendings', {
      message: 'Your parcel is on its way.',
      recipients: RECIPIENTS,
      sender: 'SMSgic',
    });
    expect(sent.status).toBe(201);
    sendingId = sent.body.id;
    await completed(page, sendingId);
    expect((await call(page, 'POST', '/countries', { countries: ['LV', 'GB'] })).status).toBe(200);
    const id = await accountId(page);
    await page.context().close();
    const ops = await app.signedIn(OPERATOR);
    expect((await call(ops, 'POST', `/admin/accounts/${id}/countries`, { countries: 'LV, GB, EE' })).status).toBe(200);
    await ops.context().close();
  }, STEP_MS);

  it.each(LANGUAGES)(
    'shows the customer the countries in $language',
    async (words) => {
      const page = await app.signedIn(CUSTOMER);
      await page.locator('.topbar .language-switch').selectOption(words.language);
      const url = app.server.url;

      await open(page, `${url}/app/rates`);
      const all = await rowHeaders(page);
      expect(all).toContain(words.latvia);
      expect(all).toContain(words.uk);
      expect(await englishCountriesOn(page), 'rates').toEqual([]);
      const latvianRates = all.filter((name) => name === words.latvia).length;
      for (const part of [words.part, 'LATVIA']) {
        await page.getByRole('searchbox', { name: words.country }).fill(part);
        await page.getByRole('button', { name: words.apply }).click();
        await expect.poll(() => rowHeaders(page), { message: part }).toEqual(Array(latvianRates).fill(words.latvia));
      }
      await page.getByRole('searchbox', { name: words.country }).fill(words.ukPart);
      await page.getByRole('button', { name: words.apply }).click();
      await expect.poll(() => rowHeaders(page)).toContain(words.uk);
      for (const name of await rowHeaders(page)) expect(name.toLowerCase()).toContain(words.ukPart);

      await open(page, `${url}/app/compose`);
      await page.getByLabel(words.messageText).fill('Labdien!');
      await page.getByLabel(words.phoneNumbers).fill(RECIPIENTS.join('\n'));
      await page.getByRole('rowheader', { name: new RegExp(`^${words.latvia}`) }).waitFor();
      await page.getByRole('rowheader', { name: new RegExp(`^${words.uk}`) }).waitFor();
      expect(await englishCountriesOn(page), 'compose').toEqual([]);

      await open(page, `${url}/app/campaigns/${sendingId}`);
      await page.getByRole('cell', { name: new RegExp(`^${words.latvia}`) }).waitFor();
      await page.getByRole('cell', { name: new RegExp(`^${words.uk}`) }).waitFor();
      expect(await englishCountriesOn(page), 'campaign').toEqual([]);

      await open(page, `${url}/app/settings`);
      await page.getByRole('status').filter({ hasText: words.sendsTo }).waitFor();
      expect(await englishCountriesOn(page), 'settings').toEqual([]);
      await page.context().close();
    },
    STEP_MS,
  );

  it.each(LANGUAGES)(
    'shows the operator the countries in $language',
    async (words) => {
      const ops = await app.signedIn(OPERATOR);
      await ops.locator('.topbar .language-switch').selectOption(words.language);
      const url = app.server.url;

      await open(ops, `${url}/app/admin/rates`);
      expect(await rowHeaders(ops)).toContain(words.latvia);
      expect(await englishCountriesOn(ops), 'admin rates').toEqual([]);

      await open(ops, `${url}/app/admin/margin`);
      await ops.getByLabel(words.groupBy).selectOption('country');
      await ops.getByRole('rowheader', { name: words.latvia, exact: true }).waitFor();
      await ops.getByRole('rowheader', { name: words.uk, exact: true }).waitFor();
      expect(await englishCountriesOn(ops), 'margin').toEqual([]);

      await open(ops, `${url}/app/admin/accounts`);
      await ops.getByRole('button', { name: words.controls }).click();
      await ops.getByRole('dialog').getByText(words.operatorSendsTo).waitFor();
      expect(await englishCountriesOn(ops), 'account controls').toEqual([]);
      await ops.context().close();
    },
    STEP_MS,
  );
});
