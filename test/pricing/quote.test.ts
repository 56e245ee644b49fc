// Pricing on the shipped numbering tables: the calculate quote, its money, and its errors.
import { describe, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { parseMoney } from '../../src/domain/money.js';
import { createRateCard, priceSending, type Quote, withoutSuppressed } from '../../src/domain/pricing.js';
import { quoteJson } from '../../src/domain/quote-json.js';

const plan = loadNumberingPlan();
const rate = (text: string) => parseMoney(text);

/** A price list like an account's: country-wide rows (mnc null) and a few networks of their own. */
const rates = createRateCard([
  { mcc: '247', mnc: null, rateMinor: rate('0.4397') }, // Latvia
  { mcc: '247', mnc: '01', rateMinor: rate('0.0400') }, // Latvia LMT
  { mcc: '238', mnc: null, rateMinor: rate('0.5000') }, // Denmark
  { mcc: '238', mnc: '02', rateMinor: rate('0.45') }, // Denmark Telenor
  { mcc: '525', mnc: null, rateMinor: rate('0.45') }, // Singapore
  { mcc: '250', mnc: null, rateMinor: rate('0.45') }, // Russia
  { mcc: '712', mnc: null, rateMinor: rate('0.45') }, // Costa Rica
  { mcc: '404', mnc: null, rateMinor: rate('0.0100') }, // India, under its first MCC only
]);

function quoteOf(message: unknown, recipients: unknown, taxRatePpm = 0): Quote {
  const result = priceSending({ message, recipients }, { plan, rates, taxRatePpm });
  if (!result.ok) throw new Error(JSON.stringify(result.errors.toJSON()));
  return result.quote;
}

function errorsOf(message: unknown, recipients: unknown) {
  const result = priceSending({ message, recipients }, { plan, rates, taxRatePpm: 0 });
  if (result.ok) throw new Error('expected validation errors');
  return result.errors.toJSON();
}

describe('the published calculate examples', () => {
  it('prices the request of the page (a Costa Rica number) at the country-wide rate', () => {
    const body = JSON.parse(quoteJson(quoteOf('message', ['50670503888225'])));
    expect(body.calculate.info).toMatchObject({ sms_count: 1, subtotal: 0.45, total: 0.45, tax: 0 });
    expect(body.calculate.destinations).toEqual([
      {
        numbers: [{ phone_number: 50670503888225, destination: 'Costa Rica Claro', sms: 1, rate: 0.45, total: 0.45 }],
        destination: 'Costa Rica Claro',
        sms_count: 1,
        price: 0.45,
        total: 0.45,
        mcc: '712',
        mnc: '03',
      },
    ]);
  });

  it("prices the numbers of the page's response: Denmark, Singapore and Russia, 3 parts in all", () => {
    const quote = quoteOf('message', ['45879921', '6523478945', '7554684221']);
    const body = JSON.parse(quoteJson(quote));
    expect(body.calculate.info).toMatchObject({ sms_count: 3, subtotal: 1.35, total: 1.35, tax: 0 });
    const names = body.calculate.destinations.map((d: { destination: string }) => d.destination);
    expect(names[0]).toMatch(/^Denmark\b/);
    expect(names.slice(1)).toEqual(['Singapore', 'Russia']);
    expect(
      body.calculate.destinations.map((d: { numbers: { phone_number: number }[] }) => d.numbers[0]?.phone_number),
    ).toEqual([45879921, 6523478945, 7554684221]);
  });
});

describe('rate choice', () => {
  it("uses the operator's own rate and names the destination after it", () => {
    const quote = quoteOf('Hi', ['4525123456']);
    expect(quote.destinations).toMatchObject([{ name: 'Denmark Telenor', mcc: '238', mnc: '02', rateMinor: 4500 }]);
  });

  it('falls back to the country-wide rate when the operator has none of its own', () => {
    const quote = quoteOf('Hi', ['4520123456']); // TDC: no own rate in this list
    expect(quote.destinations).toMatchObject([{ name: 'Denmark TDC', mcc: '238', mnc: '01', rateMinor: 5000 }]);
  });

  it('finds a country-wide rate under any MCC of the country', () => {
    const quote = quoteOf('Hi', ['919812345678']); // an Indian mobile whose operator uses MCC 405
    expect(quote.destinations[0]?.country.iso).toBe('IN');
    expect(quote.destinations[0]?.rateMinor).toBe(100);
  });

  it('reports a number with no rate by its index in the request', () => {
    expect(errorsOf('Hi', ['37126123456', '4915112345678'])).toEqual({
      message: 'The recipients.1 has no available rate.',
      errors: { 'recipients.1': ['The recipients.1 has no available rate.'] },
    });
  });

  it('reports a number no calling code matches as having no rate', () => {
    expect(errorsOf('Hi', ['0037126123456']).errors).toEqual({
      'recipients.0': ['The recipients.0 has no available rate.'],
    });
  });
});

describe('money of a quote', () => {
  it('multiplies parts by rates exactly and rounds tax half-up to four decimals', () => {
    const text = 'x'.repeat(161); // two parts of GSM-7
    const quote = quoteOf(text, ['37126123456', '37129123456', '37120000000', '37167000000'], 210_000);
    // Whatever operators the data gives these numbers, each is 2 parts at its destination's rate.
    const expected = quote.destinations.reduce((sum, d) => sum + d.numbers * 2 * d.rateMinor, 0);
    expect(quote.smsCount).toBe(8);
    expect(quote.subtotalMinor).toBe(expected);
    const exactTax = (expected * 21) / 100;
    expect(quote.taxMinor).toBe(Math.floor(exactTax + 0.5));
    expect(quote.totalMinor).toBe(quote.subtotalMinor + quote.taxMinor);
  });

  it('writes 0.1 + 0.2 style sums without float error', () => {
    const cheap = createRateCard([{ mcc: '247', mnc: null, rateMinor: 1000 }]);
    const recipients = ['37167000001', '37167000002', '37167000003'];
    const result = priceSending({ message: 'Hi', recipients }, { plan, rates: cheap, taxRatePpm: 0 });
    if (!result.ok) throw new Error('expected a quote');
    expect(quoteJson(result.quote)).toContain('"subtotal":0.3,');
  });
});

describe('recipients', () => {
  it('counts duplicates once', () => {
    const quote = quoteOf('Hi', ['37126123456', '37126123456', 37126123456]);
    expect(quote.recipients).toEqual(['37126123456']);
    expect(quote.smsCount).toBe(1);
  });

  it('accepts a string holding a JSON array, as the published POST /sendings example sends', () => {
    expect(quoteOf('Hi', '["37126123456","4525123456"]').recipients).toEqual(['37126123456', '4525123456']);
  });

  it('writes phone_number as the exact digits, even beyond float precision', () => {
    const digits = '37126123456789012345';
    expect(quoteJson(quoteOf('Hi', [digits]))).toContain(`"phone_number":${digits},`);
  });

  it.each<[unknown, string]>([
    ['1234567', 'too short'],
    ['123456789012345678901', 'too long'],
    ['+37126123456', 'with a plus'],
    ['371 26123456', 'with a space'],
    [null, 'null'],
    [{}, 'an object'],
    [3.71e10 + 0.5, 'a fraction'],
    [true, 'a boolean'],
  ])('refuses %j (%s) with the format text', (value) => {
    expect(errorsOf('Hi', ['37126123456', value])).toMatchObject({
      message: 'The recipients.1 field format is invalid.',
      errors: { 'recipients.1': ['The recipients.1 field format is invalid.'] },
    });
  });

  it('hints at the digits to send beside the error of a number written with a plus, spaces or 00', () => {
    expect(errorsOf('Hi', ['37126123456', '+37126123456', '371 26123456', '0037126123456', '1234567'])).toEqual({
      message: 'The given data was invalid.',
      errors: {
        'recipients.1': ['The recipients.1 field format is invalid.'],
        'recipients.2': ['The recipients.2 field format is invalid.'],
        'recipients.3': ['The recipients.3 has no available rate.'],
        'recipients.4': ['The recipients.4 field format is invalid.'],
      },
      hints: {
        'recipients.1': 'send 37126123456: digits only, with the country code',
        'recipients.2': 'send 37126123456: digits only, with the country code',
        'recipients.3': 'send 37126123456: digits only, with the country code',
      },
    });
  });

  it('lists at most 100 recipient errors', () => {
    const body = errorsOf(
      'Hi',
      Array.from({ length: 250 }, () => 'bad'),
    );
    expect(Object.keys(body.errors)).toHaveLength(100);
    expect(body.errors['recipients.99']).toEqual(['The recipients.99 field format is invalid.']);
    expect(body.message).toBe('The given data was invalid.');
  });
});

describe('message and required fields', () => {
  it('gives the page’s texts when message, recipients or both are missing', () => {
    expect(errorsOf(undefined, ['37126123456'])).toEqual({
      message: 'Please send `message` post parameter with text for SMS',
      errors: { message: ['Please send `message` post parameter with text for SMS'] },
    });
    expect(errorsOf('Hi', [])).toEqual({
      message: 'Please send `recipients` post parameter with recipient`s number',
      errors: { recipients: ['Please send `recipients` post parameter with recipient`s number'] },
    });
    expect(errorsOf('', undefined)).toEqual({
      message: 'The given data was invalid.',
      errors: {
        message: ['Please send `message` post parameter with text for SMS'],
        recipients: ['Please send `recipients` post parameter with recipient`s number'],
      },
    });
  });

  it.each([
    [12345, 'The message field must be a string.'],
    [['a'], 'The message field must be a string.'],
    ['a'.repeat(20_001), 'The message field must not be greater than 20000 characters.'],
    ['ж'.repeat(67 * 255 + 1), 'The message field must not be longer than 255 SMS parts.'],
    ['bad \ud800 surrogate', 'The message field must be valid Unicode text.'],
  ])('refuses the message %#', (message, text) => {
    expect(errorsOf(message, ['37126123456']).errors.message).toEqual([text]);
  });

  it('tells why a text is UCS-2', () => {
    const quote = quoteOf('Cena: 5€ — paldies 😀', ['37126123456']);
    expect(quote.encoding).toBe('UCS-2');
    expect(quote.ucs2Characters).toEqual(['—', '😀']);
    expect(JSON.parse(quoteJson(quote)).calculate.info).toMatchObject({
      encoding: 'UCS-2',
      ucs2_characters: ['—', '😀'],
      parts_per_message: 1,
    });
  });
});

describe('suppressed recipients', () => {
  it('are left out of the counts, destinations and totals, tax computed again, and listed apart', () => {
    // Denmark, Singapore, Russia and a second Singapore number; 17.5% tax.
    const recipients = ['45879921', '6523478945', '7554684221', '6523478946'];
    const full = quoteOf('message', recipients, 175_000);
    const expected = quoteOf('message', ['6523478945', '6523478946'], 175_000);
    const quote = withoutSuppressed(
      full,
      new Map([
        ['45879921', { source: 'stop_message', sender: '' }],
        ['7554684221', { source: 'api', sender: '' }],
      ] as const),
      175_000,
    );
    expect(quote.recipients).toEqual(['6523478945', '6523478946']);
    expect([quote.smsCount, quote.subtotalMinor, quote.taxMinor, quote.totalMinor]).toEqual([
      expected.smsCount,
      expected.subtotalMinor,
      expected.taxMinor,
      expected.totalMinor,
    ]);
    expect(quote.suppressed.map((s) => [s.recipient, s.source, s.destination.name])).toEqual([
      ['45879921', 'stop_message', full.destinations[0]?.name],
      ['7554684221', 'api', 'Russia'],
    ]);
    // The answer is the smaller quote's, with the suppressed listed after the destinations.
    const body = quoteJson(quote);
    const plain = quoteJson(expected);
    expect(body).toBe(
      `${plain.slice(0, -2)},"suppressed":[` +
        '{"phone_number":45879921,"reason":"The recipient opted out by replying STOP."},' +
        `{"phone_number":7554684221,"reason":"The number is on the account's suppression list (added through the API)."}]}}`,
    );
  });

  it('leave a quote without suppressions exactly as it was', () => {
    const full = quoteOf('message', ['45879921', '6523478945']);
    expect(withoutSuppressed(full, new Map(), 0)).toBe(full);
    expect(withoutSuppressed(full, new Map([['7554684221', { source: 'api', sender: '' }]] as const), 0)).toBe(full);
    expect(quoteJson(full)).not.toContain('suppressed');
  });

  it('can take every recipient: an empty quote listing them all', () => {
    const full = quoteOf('message', ['45879921'], 200_000);
    const quote = withoutSuppressed(
      full,
      new Map([['45879921', { source: 'operator', sender: '' }]] as const),
      200_000,
    );
    expect([quote.recipients.length, quote.destinations, quote.smsCount, quote.totalMinor]).toEqual([0, [], 0, 0]);
    expect(JSON.parse(quoteJson(quote)).calculate).toMatchObject({
      info: { sms_count: 0, subtotal: 0, total: 0, tax: 0, recipients: 0 },
      destinations: [],
      suppressed: [{ phone_number: 45879921 }],
    });
  });
});
