// Trumpia's report answers and status codes, each mapped to our report statuses or a retry verdict, as tables.
import { describe, expect, it } from 'vitest';
import { trumpiaNumber, trumpiaSender } from '../../src/dispatch/providers/trumpia/adapter.js';
import {
  TRUMPIA_MESSAGE_CODES,
  TRUMPIA_SEND_CODES,
  trumpiaReportOutcome,
} from '../../src/dispatch/providers/trumpia/status.js';

describe('Trumpia report mapping', () => {
  it.each([
    [{ status_code: 'MPCE4001' }, { pending: 'in progress' }],
    [{ status_code: 'MPRE2301' }, { pending: 'request_id not known to the report yet' }],
    [
      { status: 'sent', request_id: 'r1', sms_id: 9 },
      { status: 'delivered', error: null },
    ],
    [
      { status: 'failed', blocked_mobile: { number: '2025550123' } },
      { status: 'rejected', error: 'trumpia: failed, blocked mobile 2025550123' },
    ],
    [{ status: 'failed' }, { status: 'undelivered', error: 'trumpia: failed' }],
    [{ status_code: 'MRME0551' }, { status: 'rejected', error: 'trumpia: MRME0551 the mobile number is blocked' }],
    [{ status_code: 'MRME1054' }, { status: 'rejected', error: 'trumpia: MRME1054 the message is too long' }],
    [
      { status_code: 'MRME1251' },
      { status: 'rejected', error: 'trumpia: MRME1251 the message includes characters that are not allowed' },
    ],
    [{ status_code: 'MPCE0101' }, { trouble: 'trumpia: MPCE0101 the request failed to be authenticated' }],
    [{ status_code: 'MPCE0301' }, { trouble: 'trumpia: MPCE0301 temporary fault, retry in a few moments' }],
    [{ what: 'else' }, { trouble: 'trumpia: unreadable report {"what":"else"}' }],
    ['text', { trouble: 'report is not an object' }],
  ])('reads %j as %j', (body, outcome) => {
    expect(trumpiaReportOutcome(body)).toEqual(outcome);
  });

  it('takes every documented message-level (MRME) code as rejected', () => {
    for (const code of Object.keys(TRUMPIA_MESSAGE_CODES)) {
      expect(trumpiaReportOutcome({ status_code: code })).toMatchObject({ status: 'rejected' });
    }
  });

  it.each([
    ['MPCE0101', 'config'],
    ['MRCE0101', 'config'],
    ['MPCE0301', 'retry'],
    ['MRCE0301', 'retry'],
    ['MPCE0302', 'retry'],
    ['MPCE3201', 'config'],
    ['MRCE3202', 'config'],
    ['MPCE0801', 'final'],
  ])('sends code %s is a %s verdict', (code, verdict) => {
    expect(TRUMPIA_SEND_CODES[code]?.verdict).toBe(verdict);
  });
});

describe('Trumpia numbers and senders', () => {
  it.each([
    ['12025550123', { mobile_number: '2025550123', country_code: 1 }],
    ['14165550123', { mobile_number: '4165550123', country_code: 1 }],
    ['37120000001', { mobile_number: '+37120000001', country_code: 0 }],
    ['120255501234', { mobile_number: '+120255501234', country_code: 0 }],
  ])('sends %s as %j', (recipient, fields) => {
    expect(trumpiaNumber(recipient)).toEqual(fields);
  });

  it.each([
    ['12345', '12345'],
    ['+15550001', '15550001'],
    ['SMSgic', undefined],
    ['12', undefined],
  ])('passes sender %s as %s', (sender, sent) => {
    expect(trumpiaSender(sender)).toBe(sent);
  });
});
