import { describe, expect, it } from 'vitest';
import { ruleText, TEXTS, ValidationErrors } from './texts.js';

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
