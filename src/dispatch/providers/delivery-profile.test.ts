import { describe, expect, it } from 'vitest';
import { parseDeliveryProfileCsv } from './delivery-profile.js';

function profileOf(csv: string) {
  const parsed = parseDeliveryProfileCsv(csv);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.profile;
}

const LATVIA = { mcc: '247', mnc: '01' };

describe('delivery profile', () => {
  it('delivers a share of messages close to the ratio, the same for the same key every time', () => {
    const profile = profileOf('mcc,mnc,delivered_percent\n247,,80\n');
    const keys = Array.from({ length: 10_000 }, (_, i) => `sbx-1700000000000000-${1000 + i}`);
    const delivered = keys.filter((key) => profile.outcome(LATVIA, key).delivered).length;
    expect(delivered).toBeGreaterThan(7_800);
    expect(delivered).toBeLessThan(8_200);
    expect(keys.map((key) => profile.outcome(LATVIA, key).delivered)).toEqual(
      keys.map((key) => profile.outcome(LATVIA, key).delivered),
    );
  });

  it('lets a network row win over its country, and delivers destinations it does not list', () => {
    const profile = profileOf('mcc,mnc,delivered_percent,report_delay_ms\n247,,0,\n247,02,100,2500\n');
    expect(profile.outcome({ mcc: '247', mnc: '01' }, 'a')).toEqual({
      delivered: false,
      reportDelayMs: null,
      rule: '247: 0% delivered',
    });
    expect(profile.outcome({ mcc: '247', mnc: '02' }, 'a')).toEqual({
      delivered: true,
      reportDelayMs: 2500,
      rule: '247/02: 100% delivered',
    });
    expect(profile.outcome({ mcc: '234', mnc: null }, 'a').delivered).toBe(true);
    expect(profile.outcome(null, 'a').delivered).toBe(true);
    expect(profile.rows).toBe(2);
  });

  it('names every bad line', () => {
    const parsed = parseDeliveryProfileCsv(
      'mcc,mnc,delivered_percent,report_delay_ms\n24,,80,\n247,1,80,\n247,,100.5,\n247,,101,\n248,,50,-1\n248,,50,\n248,,50,\n249,,50\n',
    );
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      'line 2: MCC must be 3 digits, got "24"',
      'line 3: MNC must be 2 or 3 digits or empty, got "1"',
      'line 4: delivered_percent must be 0 to 100 (2 decimals at most), got "100.5"',
      'line 5: delivered_percent must be 0 to 100 (2 decimals at most), got "101"',
      'line 6: report_delay_ms must be a whole number of ms up to 86400000, got "-1"',
      'line 8: MCC 248 is listed twice',
      'line 9: 4 columns expected, got 3',
    ]);
    expect(parseDeliveryProfileCsv('mcc,cost\n247,1\n')).toEqual({
      ok: false,
      errors: ['line 1: the header must be "mcc,mnc,delivered_percent,report_delay_ms" (the last column is optional)'],
    });
  });

  it('reads the shipped sample', async () => {
    const { readFileSync } = await import('node:fs');
    const parsed = parseDeliveryProfileCsv(readFileSync('data/sandbox/delivery.csv', 'utf8'));
    expect(parsed.ok).toBe(true);
  });
});
