// Send windows: the format, and the next opening in a recipient's local time at fixed instants, DST days included.
import { describe, expect, it } from 'vitest';
import { COUNTRY_TIME_ZONES } from './country-time-zones.js';
import {
  formatSendWindow,
  minuteInWindow,
  nextWindowOpeningUs,
  parseSendWindow,
  type SendWindow,
  timeZoneOfCountry,
} from './send-window.js';
import { isoFromUs, usFromIso } from './time.js';

const us = (iso: string) => usFromIso(iso) as number;
const window = (text: string) => parseSendWindow(text) as SendWindow;
const opening = (text: string, zone: string, from: string) =>
  isoFromUs(nextWindowOpeningUs(window(text), zone, us(from)));

describe('parseSendWindow', () => {
  it.each([
    ['08:00-20:00', 480, 1200],
    [' 21:00-07:00 ', 1260, 420],
    ['00:00-23:59', 0, 1439],
    ['09:30-00:00', 570, 0],
  ])('reads %j', (text, startMinute, endMinute) => {
    expect(parseSendWindow(text)).toEqual({ startMinute, endMinute });
  });

  it.each(['8:00-20:00', '08:00-24:00', '08:00 - 20:00', '08:60-20:00', '08:00-08:00', '0800-2000', '', 'always'])(
    'refuses %j',
    (text) => {
      expect(parseSendWindow(text)).toBeNull();
    },
  );

  it('writes the canonical form back', () => {
    expect(formatSendWindow(window(' 21:05-07:00'))).toBe('21:05-07:00');
  });

  it('a window crossing midnight holds the late evening and the early morning', () => {
    const night = window('21:00-07:00');
    expect([1259, 1260, 1439, 0, 419, 420].map((m) => minuteInWindow(night, m))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('nextWindowOpeningUs', () => {
  it('inside the window: at once', () => {
    // 12:00 UTC is 14:00 in Riga (EET, +02:00 in winter).
    expect(opening('08:00-20:00', 'Europe/Riga', '2026-01-15T12:00:00.000000Z')).toBe('2026-01-15T12:00:00.000000Z');
  });

  it('before the opening: the same local day at the start', () => {
    // 04:30 UTC is 06:30 in Riga: opens at 08:00 local, 06:00 UTC.
    expect(opening('08:00-20:00', 'Europe/Riga', '2026-01-15T04:30:00.000000Z')).toBe('2026-01-15T06:00:00.000000Z');
  });

  it('after the close: the next local day', () => {
    // 19:00 UTC is 21:00 in Riga, past 20:00: the next morning.
    expect(opening('08:00-20:00', 'Europe/Riga', '2026-01-15T19:00:00.000000Z')).toBe('2026-01-16T06:00:00.000000Z');
  });

  it('the local day, not the UTC day, decides', () => {
    // 23:30 UTC on the 15th is 08:30 on the 16th in Tokyo: inside. 13:00 UTC is 22:00 in Tokyo: the next morning.
    expect(opening('08:00-20:00', 'Asia/Tokyo', '2026-01-15T23:30:00.000000Z')).toBe('2026-01-15T23:30:00.000000Z');
    expect(opening('08:00-20:00', 'Asia/Tokyo', '2026-01-15T13:00:00.000000Z')).toBe('2026-01-15T23:00:00.000000Z');
  });

  it('a window crossing midnight opens in the evening', () => {
    // 12:00 UTC is 14:00 in Riga: closed until 21:00 local (19:00 UTC); 03:00 local is inside.
    expect(opening('21:00-07:00', 'Europe/Riga', '2026-01-15T12:00:00.000000Z')).toBe('2026-01-15T19:00:00.000000Z');
    expect(opening('21:00-07:00', 'Europe/Riga', '2026-01-15T01:00:00.000000Z')).toBe('2026-01-15T01:00:00.000000Z');
  });

  it('across the spring change: the opening keeps its local time (summer offset after the change)', () => {
    // Riga moves to +03:00 at 01:00 UTC on 29 March 2026. 20:00 UTC on the 28th is 22:00 local: the next opening is
    // 08:00 on the 29th at +03:00, 05:00 UTC.
    expect(opening('08:00-20:00', 'Europe/Riga', '2026-03-28T20:00:00.000000Z')).toBe('2026-03-29T05:00:00.000000Z');
  });

  it('an opening in the hour skipped: the moment clocks jump', () => {
    // New York skips 02:00-03:00 on 8 March 2026 (07:00 UTC): an opening at 02:30 is at the jump, 03:00 local.
    expect(opening('02:30-05:00', 'America/New_York', '2026-03-08T05:00:00.000000Z')).toBe(
      '2026-03-08T07:00:00.000000Z',
    );
  });

  it('an opening in the hour repeated: its first occurrence', () => {
    // New York repeats 01:00-02:00 on 1 November 2026 (05:00 and 06:00 UTC): 01:30 local first comes at 05:30 UTC.
    expect(opening('01:30-05:00', 'America/New_York', '2026-11-01T03:00:00.000000Z')).toBe(
      '2026-11-01T05:30:00.000000Z',
    );
  });

  it('across the autumn change: winter offset after it', () => {
    // Riga returns to +02:00 at 01:00 UTC on 25 October 2026: 08:00 local that day is 06:00 UTC.
    expect(opening('08:00-20:00', 'Europe/Riga', '2026-10-24T19:00:00.000000Z')).toBe('2026-10-25T06:00:00.000000Z');
  });
});

describe('timeZoneOfCountry', () => {
  it('a country of one zone, a country of several (its capital), one with none (UTC)', () => {
    expect(timeZoneOfCountry('LV')).toBe('Europe/Riga');
    expect(timeZoneOfCountry('US')).toBe('America/New_York');
    expect(timeZoneOfCountry('RU')).toBe('Europe/Moscow');
    expect(timeZoneOfCountry('AU')).toBe('Australia/Sydney');
    expect(timeZoneOfCountry('001-800')).toBe('UTC');
  });

  it('every zone of the table is one the runtime knows', () => {
    for (const zone of Object.values(COUNTRY_TIME_ZONES)) {
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone })).not.toThrow();
    }
  });
});
