// The server's texts in the dashboard's language: a refused sign-in and a number the server refuses on the opt-out
// list read in Latvian and in Russian, by the codes the dashboard's API sends beside its English words.
import { beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../support/browser.js';
import { accountId, useBrowserTest } from './pages.js';

const STEP_MS = 120_000;
const CUSTOMER = { email: 'owner@texts.example', password: 'correct horse battery', company: 'Texts Ltd' };

describeWithChromium("the server's texts in the dashboard's language", () => {
  const app = useBrowserTest();

  beforeAll(async () => {
    await (await app.signedUp(CUSTOMER)).context().close();
  }, STEP_MS);

  it.each([
    {
      language: 'lv',
      locale: 'lv-LV',
      signIn: 'Pieteikties',
      email: 'E-pasts',
      password: 'Parole',
      badCredentials: 'Šie pieteikšanās dati neatbilst mūsu ierakstiem.',
      phoneNumbers: 'Tālruņa numuri',
      add: 'Pievienot atteikumiem',
      notANumber: '„12ab” nav tālruņa numurs: rakstiet to ar valsts kodu, 8 līdz 20 ciparus.',
    },
    {
      language: 'ru',
      locale: 'ru-RU',
      signIn: 'Войти',
      email: 'Эл. почта',
      password: 'Пароль',
      badCredentials: 'Эти учётные данные не совпадают с нашими записями.',
      phoneNumbers: 'Телефонные номера',
      add: 'Добавить в отписки',
      notANumber: '«12ab» — не номер телефона: укажите его с кодом страны, от 8 до 20 цифр.',
    },
  ])(
    'shows a wrong password and a refused number in $language',
    async ({ locale, signIn, email, password, badCredentials, phoneNumbers, add, notANumber }) => {
      const page = await app.newPage({ locale });
      await page.goto(`${app.server.url}/app/signin`);
      await page.getByRole('heading', { name: signIn, level: 1 }).waitFor();
      await page.getByLabel(email).fill(CUSTOMER.email);
      await page.getByLabel(password).fill('not the password at all');
      await page.getByRole('button', { name: signIn }).click();
      await page.getByText(badCredentials).first().waitFor();
      expect(await page.getByText('These credentials do not match our records.').count()).toBe(0);

      await page.getByLabel(password).fill(CUSTOMER.password);
      await page.getByRole('button', { name: signIn }).click();
      await page.locator('.topbar-user .btn').waitFor();
      await page.goto(`${app.server.url}/app/opt-outs`);
      await page.getByLabel(phoneNumbers, { exact: true }).fill('12ab');
      await page.getByRole('button', { name: add }).click();
      await page.getByText(notANumber).first().waitFor();
      expect(await page.getByText(/is not a phone number/).count()).toBe(0);
      await page.context().close();
    },
    STEP_MS,
  );

  it.each([
    {
      locale: 'lv-LV',
      messageText: 'Ziņas teksts',
      phoneNumbers: 'Tālruņa numuri',
      refusal: '4915112345678: Šis konts nesūta uz valsti Vācija: skatiet valstis iestatījumos.',
    },
    {
      locale: 'ru-RU',
      messageText: 'Текст сообщения',
      phoneNumbers: 'Телефонные номера',
      refusal: '4915112345678: Этот аккаунт не отправляет в страну Германия: см. страны в настройках.',
    },
  ])(
    'names the country an account may not send to in the language of $locale',
    async ({ locale, messageText, phoneNumbers, refusal }) => {
      const page = await app.signedUp(
        { email: `owner-${locale}@countries.example`, password: 'correct horse battery', company: 'Countries Ltd' },
        { credit: '10' },
      );
      await page.locator('.topbar .language-switch').selectOption(locale.slice(0, 2));
      await app.server.cli(['account', 'countries', String(await accountId(page)), 'LV,EE']);
      await page.goto(`${app.server.url}/app/compose`);
      await page.getByLabel(messageText).fill('Your table is booked for 8 pm.');
      await page.getByLabel(phoneNumbers).fill('4915112345678');
      await page.getByText(refusal).first().waitFor();
      expect(await page.getByText(/Germany/).count()).toBe(0);
      await page.context().close();
    },
    STEP_MS,
  );
});
