// Statuses move only forward; what is charged and refunded; a sending's status and refund from its messages.
import { describe, expect, it } from 'vitest';
import {
  dispatchRefundMinor,
  isCharged,
  isFinalMessageStatus,
  isNotDelivered,
  isRefunded,
  MESSAGE_STATUSES,
  type MessageStatus,
  messageMoney,
  NOT_DELIVERED_LABEL,
  REPORT_STATUSES,
  reportMoves,
  sendingStatusOf,
  statusesBelow,
} from './status.js';

describe('message statuses', () => {
  it('counts as not delivered the final statuses but delivered and cancelled, under one label', () => {
    expect(MESSAGE_STATUSES.filter(isNotDelivered)).toEqual(['undelivered', 'expired', 'rejected', 'failed']);
    expect(MESSAGE_STATUSES.filter(isNotDelivered).every(isFinalMessageStatus)).toBe(true);
    expect(NOT_DELIVERED_LABEL).toBe('Not delivered');
  });

  it('lets a report move an accepted message forward only, the first final status standing', () => {
    const table = Object.fromEntries(
      MESSAGE_STATUSES.map((from) => [from, REPORT_STATUSES.filter((to) => reportMoves(from, to)).join(',')]),
    );
    expect(table).toEqual({
      queued: '',
      submitting: '',
      submitted: 'delivered,undelivered,expired,rejected',
      delivered: '',
      undelivered: '',
      expired: '',
      rejected: '',
      failed: '',
      cancelled: '',
      suppressed: '',
    });
    expect(statusesBelow('delivered')).toEqual(['submitted']);
  });

  it('knows the final statuses', () => {
    const finals = MESSAGE_STATUSES.filter((s) => isFinalMessageStatus(s));
    expect(finals).toEqual(['delivered', 'undelivered', 'expired', 'rejected', 'failed', 'cancelled', 'suppressed']);
  });

  it('charges what a provider accepted whatever its report, and refunds only final messages never accepted', () => {
    const cases: [MessageStatus, number | null, boolean, boolean][] = [
      ['submitted', 1, true, false],
      ['delivered', 1, true, false],
      ['undelivered', 1, true, false],
      ['expired', 1, true, false],
      ['rejected', 1, true, false],
      ['rejected', null, false, true],
      ['failed', null, false, true],
      ['cancelled', null, false, true],
      ['suppressed', null, false, true],
      ['queued', null, false, false],
      ['submitting', null, false, false],
    ];
    for (const [status, acceptedAtUs, charged, refunded] of cases) {
      expect([status, isCharged({ acceptedAtUs }), isRefunded({ status, acceptedAtUs })]).toEqual([
        status,
        charged,
        refunded,
      ]);
    }
  });
});

describe('message money', () => {
  it('charges what a provider took, refunds what none took once final, and holds the rest as reserved', () => {
    // rate 390 × 2 parts = 780 priced; [status, accepted, cost] → [charged, refunded]
    const cases: [MessageStatus, number | null, number, number, number][] = [
      ['queued', null, 780, 0, 0],
      ['submitting', null, 780, 0, 0],
      ['submitted', 1, 780, 780, 0],
      ['delivered', 1, 780, 780, 0],
      ['undelivered', 1, 780, 780, 0],
      ['expired', 1, 780, 780, 0],
      ['rejected', 1, 780, 780, 0],
      ['rejected', null, 780, 0, 780],
      ['failed', null, 780, 0, 780],
      ['cancelled', null, 780, 0, 780],
      // One part of two taken before the provider refused the other for good: that part is charged, the other back.
      ['rejected', 1, 390, 390, 390],
    ];
    for (const [status, acceptedAtUs, costMinor, charged, refunded] of cases) {
      const money = messageMoney({ status, acceptedAtUs, rateMinor: 390, parts: 2, costMinor });
      expect([status, acceptedAtUs, money]).toEqual([
        status,
        acceptedAtUs,
        { chargedMinor: charged, refundedMinor: refunded },
      ]);
    }
  });
});

describe('sending status', () => {
  it('is Processing while open, Failed when nothing was accepted, Completed when all are final', () => {
    expect(sendingStatusOf({ inFlight: true, awaitingReports: false, accepted: 0 })).toBe('Processing');
    expect(sendingStatusOf({ inFlight: false, awaitingReports: true, accepted: 3 })).toBe('Processing');
    expect(sendingStatusOf({ inFlight: false, awaitingReports: false, accepted: 0 })).toBe('Failed');
    expect(sendingStatusOf({ inFlight: false, awaitingReports: false, accepted: 1 })).toBe('Completed');
  });
});

describe('dispatch refund', () => {
  it.each([
    // subtotal, tax, accepted cost → refund
    [10_000, 2_000, 0, 12_000],
    [10_000, 2_000, 10_000, 0],
    [30_000, 2_639, 20_000, 10_880], // a third of the tax is 879.67 → 880 stays with the refund side
    [30_000, 2_638, 20_000, 10_879], // 879.33 → 879
    [3, 1, 1, 3], // share 0.333 → 0: the accepted third keeps no tax, all of it comes back
    [2, 1, 1, 1], // share 0.5 → 1 (half-up), so the refund is the refused cost alone
    [0, 0, 0, 0],
  ])('subtotal %i, tax %i, accepted %i → %i back', (subtotalMinor, taxMinor, acceptedCostMinor, refund) => {
    expect(dispatchRefundMinor({ subtotalMinor, taxMinor, acceptedCostMinor })).toBe(refund);
  });

  it('refuses an accepted cost beyond the subtotal', () => {
    expect(() => dispatchRefundMinor({ subtotalMinor: 1, taxMinor: 0, acceptedCostMinor: 2 })).toThrow(RangeError);
  });
});
