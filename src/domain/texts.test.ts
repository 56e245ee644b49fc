import { describe, expect, it } from 'vitest';
import { senderNameProblem } from './sender-name.js';
import {
  describeText,
  moneyInputText,
  optOutText,
  renderText,
  ruleText,
  SERVER_TEXTS,
  type ServerTextCode,
  TEXTS,
  ValidationErrors,
} from './texts.js';

describe('validation errors', () => {
  it('uses the one failing rule as the message', () => {
    const errors = new ValidationErrors().add('message', TEXTS.messageRequired);
    expect(errors.toJSON()).toEqual({
      message: 'Please send `message` post parameter with text for SMS',
      errors: { message: ['Please send `message` post parameter with text for SMS'] },
    });
  });

  it('says "The given data was invalid." when more than one rule fails', () => {
    const errors = new ValidationErrors()
      .add('message', TEXTS.messageRequired)
      .add('recipients', TEXTS.recipientsRequired);
    expect(errors.toJSON()).toEqual({
      message: 'The given data was invalid.',
      errors: {
        message: ['Please send `message` post parameter with text for SMS'],
        recipients: ['Please send `recipients` post parameter with recipient`s number'],
      },
    });
  });

  it('counts two rules on one field as more than one', () => {
    const errors = new ValidationErrors().add('mcc', 'a').add('mcc', 'b');
    expect(errors.message).toBe('The given data was invalid.');
  });
});

describe('rule texts', () => {
  it.each([
    [ruleText.formatInvalid('recipients.3'), 'The recipients.3 field format is invalid.'],
    [ruleText.requiredWith('mcc', 'mnc'), 'The mcc field is required when mnc is present.'],
    [ruleText.formatInvalid('mcc'), 'The mcc field format is invalid.'],
    [ruleText.selectedInvalid('country_id'), 'The selected country id is invalid.'],
    [ruleText.dateFormat('scheduled_at', 'Y-m-d H:i:s'), 'The scheduled at field must match the format Y-m-d H:i:s.'],
    [ruleText.selectedInvalid('sender'), 'The selected sender is invalid.'],
    [ruleText.selectedInvalid('type'), 'The selected type is invalid.'],
    [ruleText.noAvailableRate('recipients.3'), 'The recipients.3 has no available rate.'],
    [ruleText.notFoundModel(301), 'No query results for model 301'],
    [
      ruleText.methodNotAllowed('GET', 'sendings/calculate', ['POST']),
      'The GET method is not supported for route sendings/calculate. Supported methods: POST.',
    ],
  ])('%s', (text, expected) => {
    expect(text).toBe(expected);
  });
});

describe('codes of the server texts', () => {
  /** Parameters for a template: a number where the words have one, else words of their own. */
  function sampleParams(template: string): Record<string, string | number> {
    const params: Record<string, string | number> = {};
    for (const match of template.matchAll(/\{\{(\w+)(?:, *(number))?\}\}/g)) {
      const name = match[1] as string;
      params[name] = match[2] === 'number' ? 12_345 : name === 'count' ? 21 : `the ${name} value`;
    }
    return params;
  }

  it.each(Object.keys(SERVER_TEXTS) as ServerTextCode[])('%s reads back as its code and parameters', (code) => {
    const params = sampleParams(SERVER_TEXTS[code]);
    expect(describeText(renderText(code, params))).toEqual({ code, params });
  });

  it('gives the words the public API has always sent', () => {
    expect(ruleText.maxChars('sender', 11)).toBe('The sender field must not be greater than 11 characters.');
    expect(ruleText.required('scheduled_at')).toBe('The scheduled at field is required.');
    expect(optOutText.csvTooMany(100_000)).toBe('A file may hold at most 100,000 numbers; nothing was imported.');
    expect(ruleText.spendLimit('monthly', '€10.00', '€9.50', '€1.00')).toBe(
      "This sending (€1.00) would pass the account's monthly spend limit of €10.00: €9.50 is spent already.",
    );
    expect(ruleText.countriesNotAllowed(['DE', 'FR'])).toBe(
      'This account may not send to DE, FR: ask support to allow it.',
    );
    expect(moneyInputText.tooManyDecimals('1.234', 2)).toBe('“1.234” has more than 2 decimals.');
  });

  it('describes a rule text with the field as it is written and a count as a number', () => {
    expect(describeText(ruleText.required('scheduled_at'))).toEqual({
      code: 'required',
      params: { field: 'scheduled at' },
    });
    expect(describeText(ruleText.tooManyLogins(42))).toEqual({ code: 'tooManyLogins', params: { count: 42 } });
    expect(describeText(optOutText.csvTooMany(100_000))).toEqual({
      code: 'optOutCsvTooMany',
      params: { count: 100_000 },
    });
    expect(describeText(optOutText.notANumber('12 “ab”\nc'))).toEqual({
      code: 'optOutNotANumber',
      params: { text: '12 “ab”\nc' },
    });
    expect(describeText(TEXTS.badCredentials)).toEqual({ code: 'badCredentials', params: {} });
  });

  it('describes no text outside the catalogue', () => {
    expect(describeText('Something else went wrong.')).toBeNull();
    expect(describeText(`${TEXTS.notFound} `)).toBeNull();
  });

  it('refuses to render a text without one of its parameters', () => {
    expect(() => renderText('required')).toThrow(/field/);
  });
});

describe('a text within a text', () => {
  it('describes why a sender name is refused as a code of its own', () => {
    const problem = senderNameProblem('12345678901234567') as string;
    expect(problem).toBe('a numeric sender has at most 16 digits');
    expect(describeText(ruleText.senderName('name', problem))).toEqual({
      code: 'senderName',
      params: { field: 'name', problem },
    });
    expect(describeText(problem)).toEqual({ code: 'senderNumericDigits', params: { count: 16 } });
  });
});
