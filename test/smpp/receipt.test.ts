// Delivery receipts: TLVs and Appendix B text, the stat → status table, and lenient matching of message ids.
import { describe, expect, it } from 'vitest';
import type { DeliverSmPdu, Tlvs } from '../../src/dispatch/providers/smpp/pdu.js';
import {
  isReceipt,
  messageIdKey,
  messageIdKeys,
  parseReceipt,
  parseReceiptDate,
  STATUS_OF_STAT,
} from '../../src/dispatch/providers/smpp/receipt.js';
import { shortMessageFields } from './fixtures.js';

function receipt(text: string, tlvs: Tlvs = {}, esmClass = 0x04): DeliverSmPdu {
  return {
    command: 'deliver_sm',
    status: 0,
    sequence: 1,
    ...shortMessageFields({ esmClass, shortMessage: Buffer.from(text, 'latin1'), tlvs }),
  };
}

const APPENDIX_B =
  'id:0A1B2C3D sub:001 dlvrd:001 submit date:2503011000 done date:2503011001 stat:DELIVRD err:000 text:Code 1234';

describe('receipt parsing', () => {
  it('reads the Appendix B text', () => {
    expect(parseReceipt(receipt(APPENDIX_B))).toEqual({
      ok: true,
      receipt: {
        messageId: '0A1B2C3D',
        stat: 'DELIVRD',
        status: 'delivered',
        error: null,
        doneAtUs: Date.UTC(2025, 2, 1, 10, 1) * 1000,
      },
    });
  });

  it('prefers TLVs, and takes the network error code', () => {
    const parsed = parseReceipt(
      receipt(APPENDIX_B, {
        receiptedMessageId: '999',
        messageState: 5,
        networkErrorCode: { networkType: 3, errorCode: 27 },
      }),
    );
    expect(parsed).toMatchObject({
      ok: true,
      receipt: { messageId: '999', stat: 'UNDELIV', status: 'undelivered', error: 'network 3 error 27' },
    });
  });

  it('reads TLV-only receipts with an empty short_message', () => {
    expect(parseReceipt(receipt('', { receiptedMessageId: 'abc', messageState: 3 }))).toMatchObject({
      ok: true,
      receipt: { messageId: 'abc', stat: 'EXPIRED', status: 'expired', doneAtUs: null },
    });
  });

  it('tolerates vendor texts: other case, other order, a text: field that looks like fields, seconds in dates', () => {
    const parsed = parseReceipt(
      receipt('Stat:undeliv ERR:034 id:77 done date:250301100159 text:stat:DELIVRD id:1 sub:1', {}),
    );
    expect(parsed).toMatchObject({
      ok: true,
      receipt: { messageId: '77', stat: 'UNDELIV', status: 'undelivered', error: '034' },
    });
    if (parsed.ok) expect(parsed.receipt.doneAtUs).toBe(Date.UTC(2025, 2, 1, 10, 1, 59) * 1000);
  });

  it('maps every receipt word to our status, with ACCEPTD and ENROUTE not final', () => {
    expect(STATUS_OF_STAT).toEqual({
      DELIVRD: 'delivered',
      EXPIRED: 'expired',
      DELETED: 'undelivered',
      UNDELIV: 'undelivered',
      UNKNOWN: 'undelivered',
      REJECTD: 'rejected',
      ACCEPTD: null,
      ENROUTE: null,
    });
    for (const [state, status] of [
      [1, null],
      [2, 'delivered'],
      [3, 'expired'],
      [4, 'undelivered'],
      [5, 'undelivered'],
      [6, null],
      [7, 'undelivered'],
      [8, 'rejected'],
    ] as const) {
      const parsed = parseReceipt(receipt('', { receiptedMessageId: '1', messageState: state }));
      expect(parsed.ok && parsed.receipt.status, `message_state ${state}`).toBe(status);
    }
  });

  it('never makes an intermediate notification final', () => {
    const parsed = parseReceipt(receipt(APPENDIX_B, {}, 0x20));
    expect(parsed).toMatchObject({ ok: true, receipt: { stat: 'DELIVRD', status: null } });
  });

  it('explains what it cannot read instead of throwing', () => {
    expect(parseReceipt(receipt('stat:DELIVRD'))).toMatchObject({ ok: false });
    expect(parseReceipt(receipt('id:1 stat:WHATEVER'))).toMatchObject({ ok: false });
    expect(parseReceipt(receipt('id:1'))).toMatchObject({ ok: false });
    expect(parseReceipt(receipt('', { receiptedMessageId: '1', messageState: 42 }))).toMatchObject({ ok: false });
    expect(parseReceipt(receipt(APPENDIX_B, {}, 0x00))).toMatchObject({ ok: false });
    expect(parseReceipt(receipt('\u0000\u00ff garbage'))).toMatchObject({ ok: false });
    expect(isReceipt({ esmClass: 0x44 })).toBe(true);
  });

  it('reads dates strictly', () => {
    expect(parseReceiptDate('2502301000')).toBeNull();
    expect(parseReceiptDate('2503012400')).toBeNull();
    expect(parseReceiptDate('25030110')).toBeNull();
    expect(parseReceiptDate('2503011000')).toBe(Date.UTC(2025, 2, 1, 10, 0) * 1000);
  });
});

describe('message id matching', () => {
  /** Whether a receipt id finds a part indexed under submit_sm_resp's id. */
  const matches = (submitId: string, receiptId: string) => messageIdKeys(receiptId).includes(messageIdKey(submitId));

  it('matches ids across case, leading zeros, and hex vs decimal notation', () => {
    expect(matches('1A2B', '1a2b')).toBe(true);
    expect(matches('1A2B', '00001A2B')).toBe(true);
    expect(matches('1A2B', '6699')).toBe(true);
    expect(matches('1A2B', '000000006699')).toBe(true);
    expect(matches('6699', '1a2b')).toBe(true);
    expect(matches('0', '000')).toBe(true);
    expect(matches('ff', 'fe')).toBe(false);
    expect(matches('abc-1', 'ABC-1')).toBe(true);
  });

  it('tries the id as written first', () => {
    expect(messageIdKeys('0010')).toEqual(['10', '16', 'a']);
  });
});
