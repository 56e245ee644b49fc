// The inbox in a real browser: a message arrives on the account's number (through receiveInbound, as SMPP and Twilio
// hand them over) from a number the account had sent a campaign to; the customer opens the inbox, finds the
// conversation, reads both messages in time order with the campaign's status label, prices a reply and sends it, and
// sees it in the conversation; the balance went down by exactly the price shown.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { parseMoney } from '../../src/domain/money.js';
import { createApiServices } from '../../src/services/api-services.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { createKeywordReplies } from '../../src/services/keyword-replies.js';
import { createDb, type Db } from '../../src/store/db.js';
import { getBalance } from '../../src/store/ledger.js';
import { describeWithChromium, launchChromium, startServer, type TestServer } from '../support/browser.js';
import { accountId, call, signUp } from './pages.js';

const STEP_MS = 120_000;
const CUSTOMER = { email: 'owner@corner-bakery.example', password: 'correct horse battery', company: 'Corner Bakery' };
const OUR_NUMBER = '37125550001';
const PHONE = '37126000123';

describeWithChromium('inbox in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let db: Db;

  let account = 0;
  /** The balance in minor units, exact (the dashboard shows it to three decimals). */
  const balance = async () => (await getBalance(db, account)) ?? 0;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await signUp(page, server.url, CUSTOMER);
    account = await accountId(page);
    const id = String(account);
    await server.cli(['credit', id, '10']);
    await server.cli(['numbers', 'assign', '--account', id, OUR_NUMBER]);
    db = await createDb(server.databaseUrl);
  }, STEP_MS);

  afterAll(async () => {
    await db?.close();
    await browser?.close();
    await server?.stop();
  });

  it(
    'shows a conversation both ways and sends a reply from it',
    async () => {
      const sent = await call(page, 'POST', '/sendings', {
        message: 'Fresh bread at 8 tomorrow',
        recipients: [PHONE],
        sender: 'SMSgic',
      });
      expect(sent.status).toBe(201);
      await receiveInbound(
        db,
        {
          provider: 'smpp',
          providerMessageId: 'browser-inbox-1',
          from: PHONE,
          to: OUR_NUMBER,
          text: 'Can you keep two loaves for me?',
          receivedAtUs: db.nowUs(),
        },
        () => {},
      );

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
      await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
      const row = page.getByRole('row', { name: /\+37126000123/ });
      await row.getByText('Can you keep two loaves for me?').waitFor();
      await row.getByText(`+${OUR_NUMBER}`).waitFor();

      await page.getByLabel('Search numbers').fill('+44');
      await page.getByText('No number matches').waitFor();
      await page.getByLabel('Search numbers').fill('3712600');
      await row.getByRole('link', { name: '+37126000123' }).click();

      await page.getByRole('heading', { name: 'Conversation with +37126000123', level: 1 }).waitFor();
      const messages = page.getByRole('list', { name: 'Messages' });
      await expect
        .poll(async () => (await messages.getByRole('listitem').allInnerTexts()).map((text) => text.split('\n')))
        .toEqual([
          expect.arrayContaining(['Fresh bread at 8 tomorrow']),
          expect.arrayContaining(['Can you keep two loaves for me?']),
        ]);
      // The campaign's message shows its status as the campaign page labels it.
      const outbound = messages.getByRole('listitem').first();
      await outbound.getByText(/^(Queued|Submitting|Submitted|Delivered)$/).waitFor();
      await page.getByText(`Sent from +${OUR_NUMBER}, the number this person last wrote to.`).waitFor();

      const before = await balance();
      await page.getByLabel('Your reply').fill('Yes, they are yours.');
      const summary = page.getByText(/^Total (.+) for 1 recipient, 1 part each\.$/);
      await summary.waitFor();
      await page.getByText(/^Your balance of .+ covers this sending\.$/).waitFor();
      const shownTotal = /^Total \D*([\d.,]+)/.exec((await summary.textContent()) ?? '')?.[1] ?? '';
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.getByText(/Reply sent \(campaign #\d+\)\./).waitFor();
      await messages.getByText('Yes, they are yours.').waitFor();
      await expect.poll(() => messages.getByRole('listitem').count()).toBe(3);
      await messages
        .getByRole('listitem')
        .last()
        .getByText(new RegExp(`Sent from ${OUR_NUMBER}`))
        .waitFor();
      expect(await page.getByLabel('Your reply').inputValue()).toBe('');
      // Charged exactly the total shown before sending.
      expect(parseMoney(shownTotal)).toBeGreaterThan(0);
      expect(before - (await balance())).toBe(parseMoney(shownTotal));
    },
    STEP_MS,
  );

  it(
    'answers HELP with the text saved in Settings, and shows an answer the balance did not cover as not sent',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Keyword replies' }).waitFor();
      await page.getByLabel('Answer to HELP').fill('Corner Bakery: call 67000000. Reply STOP to opt out.');
      await page.getByRole('button', { name: 'Save keyword replies' }).click();
      await page.getByText('Keyword replies saved.').waitFor();

      const api = createApiServices({ db, plan: loadNumberingPlan(), availableTypes: new Set(['default'] as const) });
      const replies = createKeywordReplies(db, api, () => {});
      const help = (id: string) =>
        receiveInbound(
          db,
          {
            provider: 'smpp',
            providerMessageId: id,
            from: PHONE,
            to: OUR_NUMBER,
            text: 'HELP',
            receivedAtUs: db.nowUs(),
          },
          () => {},
          replies,
        );
      await help('browser-inbox-help-1');
      await page.goto(`${server.url}/app/inbox/${PHONE}`);
      const messages = page.getByRole('list', { name: 'Messages' });
      await messages.getByText('Corner Bakery: call 67000000. Reply STOP to opt out.').waitFor();

      // The balance spent: the next answer is not sent, and the conversation says why.
      await server.cli(['credit', String(account), String(-(await balance()) / 10_000)]);
      await help('browser-inbox-help-2');
      await page.reload();
      await messages.getByText('Automatic reply not sent: the balance did not cover it.').waitFor();
    },
    STEP_MS,
  );
});
