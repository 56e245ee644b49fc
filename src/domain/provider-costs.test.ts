import { describe, expect, it } from 'vitest';
import { convertCostUp, deliveryRatioPpm } from './provider-costs.js';

const rates: Record<string, number> = { GBP: 1_000_000, EUR: 1_165_432, USD: 1_270_000 };
const ratePpmOf = (currency: string) => rates[currency] ?? null;

describe('provider costs', () => {
  it('converts through the base currency, rounding up to whole minor units', () => {
    expect(convertCostUp(100, 'GBP', 'EUR', ratePpmOf)).toBe(117); // 116.5432 → 117
    expect(convertCostUp(1_165_432, 'EUR', 'GBP', ratePpmOf)).toBe(1_000_000);
    expect(convertCostUp(127, 'USD', 'EUR', ratePpmOf)).toBe(117); // 127 × 1.165432 / 1.27 = 116.5432 → 117
    expect(convertCostUp(350, 'EUR', 'EUR', ratePpmOf)).toBe(350);
    expect(convertCostUp(350, 'EUR', 'XYZ', ratePpmOf)).toBeNull();
  });

  it('gives the delivered share in parts per million, none without reports', () => {
    expect(deliveryRatioPpm({ reports: 3, delivered: 2, meanLatencyMs: 900 })).toBe(666_666);
    expect(deliveryRatioPpm({ reports: 0, delivered: 0, meanLatencyMs: null })).toBeNull();
  });
});
