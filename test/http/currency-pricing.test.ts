// An account is priced only from a price list in its own currency: the platform's default list per currency, converted
// from the base one at a recorded rate; a currency without a list is refused with 422, never priced in another.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatBalance, parseMoney } from '../../src/domain/money.js';
import { convertRateUp } from '../../src/domain/price-lists.js';
import { ruleText } from '../../src/domain/texts.js';
import { priceListSummaries, replaceRates } from '../../src/store/rates.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

/** A Latvian number: priced by the country-wide rate of MCC 247 or its network's. */
const LATVIAN = '37126123456';
const SENDING = { sender: 'MegaShop', message: 'Your code is 123456', recipients: [LATVIAN] };

describeEachEngine('pricing in the account currency', (engine) => {
  let api: ApiApp;
  beforeAll(async () => {
    api = await startApiApp(engine.db);
  });
  afterAll(() => api.close());

  const post = (account: ApiAccount, url: string, payload: object = SENDING) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, payload });
  const balance = async (account: ApiAccount) =>
    (await api.app.inject({ method: 'GET', url: '/balance', headers: account.headers })).json();

  it('prices a EUR and a GBP account from their own lists: the amounts differ by the recorded rate', async () => {
    const pound = await api.account({ currency: 'GBP', balance: '100' });
    const euro = await api.account({ currency: 'EUR', balance: '100' });
    const eurList = (await priceListSummaries(engine.db)).find((l) => l.owner === 0 && l.currency === 'EUR');
    expect(eurList).toMatchObject({ source: 'converted', conversion: { baseCurrency: 'GBP' } });
    const ratePpm = eurList?.conversion?.ratePpm as number;

    const inPounds = await post(pound, '/sendings/calculate');
    const inEuros = await post(euro, '/sendings/calculate');
    expect(inPounds.statusCode, inPounds.body).toBe(200);
    expect(inEuros.statusCode, inEuros.body).toBe(200);
    const poundPrice = parseMoney(String(inPounds.json().calculate.info.subtotal));
    const euroPrice = parseMoney(String(inEuros.json().calculate.info.subtotal));
    expect(euroPrice).toBe(convertRateUp(poundPrice, ratePpm));
    expect(euroPrice).not.toBe(poundPrice);

    // The rate each account's GET /rates shows is its own currency's.
    const rateOf = async (account: ApiAccount) =>
      (await api.app.inject({ method: 'GET', url: '/rates?mcc=247', headers: account.headers })).json().rates as {
        mnc: string | null;
        rate: number;
      }[];
    const [poundRate] = (await rateOf(pound)).filter((r) => r.mnc === null);
    const [euroRate] = (await rateOf(euro)).filter((r) => r.mnc === null);
    expect(parseMoney(String(euroRate?.rate))).toBe(convertRateUp(parseMoney(String(poundRate?.rate)), ratePpm));

    // And a sending reserves that amount, in the account's currency.
    const sent = await post(euro, '/sendings');
    expect(sent.statusCode, sent.body).toBe(200);
    expect(await balance(euro)).toMatchObject({ code: 'EUR', balance: formatBalance(parseMoney('100') - euroPrice) });
  });

  it('answers 422 to an account whose currency has no price list, and reserves nothing', async () => {
    const krona = await api.account({ currency: 'SEK', balance: '100' });
    expect((await post(krona, '/sendings/calculate')).statusCode).toBe(200);
    // The operator empties the SEK default list: nothing prices a SEK account now.
    const emptied = await replaceRates(engine.db, null, [], { currency: 'SEK' });
    expect(emptied.ok).toBe(true);
    const text = ruleText.noPriceList('SEK');
    expect(text).toBe('There is no price list in SEK, the currency of this account, so nothing can be priced or sent.');
    for (const url of ['/sendings/calculate', '/sendings']) {
      const res = await post(krona, url);
      expect(res.statusCode, url).toBe(422);
      expect(res.json(), url).toEqual({ message: text, errors: { recipients: [text] } });
    }
    expect((await balance(krona)).balance).toBe('100.000');
  });
});
