// Messente's documented delivery statuses and err codes, each mapped to our report statuses, as a table.
import { describe, expect, it } from 'vitest';
import {
  MESSENTE_ERR_TABLE,
  MESSENTE_STATUS_TABLE,
  MESSENTE_STATUSES,
  messenteOutcome,
  messenteResultOf,
} from '../../src/dispatch/providers/messente/status.js';

describe('Messente status mapping', () => {
  it.each([
    ['ACK', 'submitted'],
    ['ACCEPTD', 'submitted'],
    ['DELIVRD', 'delivered'],
    ['SEEN', 'delivered'],
    ['UNDELIV', 'undelivered'],
    ['FAILED', 'undelivered'],
    ['UNKNOWN', 'undelivered'],
    ['DELETED', 'undelivered'],
    ['EXPIRED', 'expired'],
    ['REJECTD', 'rejected'],
    ['NACK', 'rejected'],
  ] as const)('maps %s to %s', (status, ours) => {
    expect(MESSENTE_STATUS_TABLE[status]).toBe(ours);
    expect(messenteOutcome(status, null, null).status).toBe(ours);
  });

  it('covers every documented status', () => {
    expect(Object.keys(MESSENTE_STATUS_TABLE).sort()).toEqual([...MESSENTE_STATUSES].sort());
  });

  it.each([
    [0, 'undelivered', 'messente: UNDELIV'],
    [1, 'undelivered', 'messente: UNDELIV err 1 (delivery failure)'],
    [2, 'expired', 'messente: UNDELIV err 2 (sending message expired)'],
    [3, 'rejected', 'messente: UNDELIV err 3 (invalid number)'],
    [4, 'rejected', 'messente: UNDELIV err 4 (error crediting account)'],
    [5, 'rejected', 'messente: UNDELIV err 5 (invalid number format)'],
    [6, 'rejected', 'messente: UNDELIV err 6 (too many identical messages)'],
    [7, 'rejected', 'messente: UNDELIV err 7 (sender name not allowed)'],
    [8, 'rejected', 'messente: UNDELIV err 8 (operator blacklisted)'],
    [9, 'rejected', 'messente: UNDELIV err 9 (unroutable)'],
    [10, 'undelivered', 'messente: UNDELIV err 10 (seen)'],
    [999, 'undelivered', 'messente: UNDELIV err 999 (general temporary error)'],
    [42, 'undelivered', 'messente: UNDELIV err 42 (undocumented code)'],
  ] as const)('refines an undelivered report by err %i to %s', (err, ours, error) => {
    expect(messenteOutcome('UNDELIV', err, null)).toEqual({ status: ours, error });
  });

  it('documents every err code it refines', () => {
    expect(Object.keys(MESSENTE_ERR_TABLE).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 999]);
  });

  it('takes a delivery or a rejection at its word whatever its err', () => {
    expect(messenteOutcome('DELIVRD', 1, 'odd')).toEqual({ status: 'delivered', error: null });
    expect(messenteOutcome('REJECTD', 2, null)).toEqual({
      status: 'rejected',
      error: 'messente: REJECTD err 2 (sending message expired)',
    });
    expect(messenteOutcome('EXPIRED', 3, 'Expired')).toEqual({
      status: 'expired',
      error: 'messente: EXPIRED err 3 (invalid number): Expired',
    });
  });

  it('reads a delivery result body into our report, microseconds of its timestamp included', () => {
    const result = messenteResultOf({
      status: 'DELIVRD',
      sender: 'AcmeCo',
      err: 0,
      message_id: '0f9c-1',
      to: '+37250000001',
      channel: 'sms',
      error: null,
      omnimessage_id: '7d1e-1',
      timestamp: '2025-03-01T10:00:04.123456',
    });
    expect(result).toEqual({
      report: {
        providerMessageId: '0f9c-1',
        status: 'delivered',
        error: null,
        reportedAtUs: Date.UTC(2025, 2, 1, 10, 0, 4) * 1000 + 123_456,
      },
    });
  });

  it('skips other channels and results without a status, and refuses what it cannot read', () => {
    expect(messenteResultOf({ message_id: 'v', channel: 'viber', status: 'DELIVRD' })).toEqual({
      skipped: 'a viber result',
    });
    expect(messenteResultOf({ message_id: 'm', channel: 'sms', status: null })).toEqual({ skipped: 'no status yet' });
    expect(messenteResultOf({ channel: 'sms', status: 'DELIVRD' })).toEqual({ malformed: 'message_id is missing' });
    expect(messenteResultOf({ message_id: 'm', status: 'DONE' })).toEqual({ malformed: 'undocumented status "DONE"' });
    expect(messenteResultOf({ message_id: 'm', status: 'FAILED', err: 'x' })).toEqual({
      malformed: 'err is not a code: "x"',
    });
    expect(messenteResultOf([])).toEqual({ malformed: 'not a JSON object' });
  });
});
