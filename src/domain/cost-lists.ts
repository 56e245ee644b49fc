// A provider's cost list as rows: read from and written to CSV (`mcc,mnc,cost`, the price lists' format with its own
// column), compared with another (what a replacement would change), and looked up as a CostBook.
import { formatMinor } from './money.js';
import type { CostBook, ProviderCost } from './provider-costs.js';
import { parseNetworkAmountsCsv } from './rates-csv.js';

/** One part's cost to a network (`mnc` null: the whole country), in 1/10000 of the list's currency. */
export interface CostRow {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly costMinor: number;
}

/** A provider's whole list: its currency and rows. */
export interface CostList {
  readonly provider: string;
  readonly currency: string;
  readonly rows: readonly CostRow[];
}

export type CostsCsvResult =
  /** `currency`: the one the rows state (every row the same or empty), null when none states one. */
  | { readonly ok: true; readonly rows: readonly CostRow[]; readonly currency: string | null }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Reads a cost list in CSV: header `mcc,mnc,cost` or `mcc,mnc,cost,currency`, an empty mnc for the country row. */
export function parseCostsCsv(text: string): CostsCsvResult {
  const parsed = parseNetworkAmountsCsv(text, 'cost');
  if (!parsed.ok) return parsed;
  const rows = parsed.rows.map((row) => ({ mcc: row.mcc, mnc: row.mnc, costMinor: row.rateMinor }));
  return { ok: true, rows, currency: parsed.currency };
}

/** Writes a cost list as `parseCostsCsv` reads it: the header, then one `mcc,mnc,cost` line each (CRLF). */
export function formatCostsCsv(rows: readonly CostRow[]): string {
  const lines = [
    'mcc,mnc,cost',
    ...sortedCostRows(rows).map((r) => `${r.mcc},${r.mnc ?? ''},${formatMinor(r.costMinor)}`),
  ];
  return lines.map((line) => `${line}\r\n`).join('');
}

function networkKey(mcc: string, mnc: string | null): string {
  return `${mcc}:${mnc ?? ''}`;
}

/** Rows by MCC, then the country row, then by MNC. */
export function sortedCostRows<Row extends { readonly mcc: string; readonly mnc: string | null }>(
  rows: readonly Row[],
): Row[] {
  return [...rows].sort((a, b) => {
    const first = networkKey(a.mcc, a.mnc);
    const second = networkKey(b.mcc, b.mnc);
    return first < second ? -1 : first > second ? 1 : 0;
  });
}

/** A row whose cost a replacement changes. */
export interface CostChange {
  readonly mcc: string;
  readonly mnc: string | null;
  readonly oldMinor: number;
  readonly newMinor: number;
}

/** What replacing a provider's list with another would change. */
export interface CostListDiff {
  readonly added: readonly CostRow[];
  readonly removed: readonly CostRow[];
  readonly changed: readonly CostChange[];
  /** Rows the replacement keeps as they are. */
  readonly unchanged: number;
  /** The currency before (null: the provider has no list yet) and after. */
  readonly currencyBefore: string | null;
  readonly currencyAfter: string;
}

/**
 * The difference between a stored list (null: none yet) and a proposed one, each in network order. A change of
 * currency is reported as it is; rows are compared by their amounts alone.
 */
export function diffCostLists(
  stored: { readonly currency: string; readonly rows: readonly CostRow[] } | null,
  proposed: { readonly currency: string; readonly rows: readonly CostRow[] },
): CostListDiff {
  const before = new Map((stored?.rows ?? []).map((row) => [networkKey(row.mcc, row.mnc), row]));
  const added: CostRow[] = [];
  const changed: CostChange[] = [];
  let unchanged = 0;
  for (const row of sortedCostRows(proposed.rows)) {
    const key = networkKey(row.mcc, row.mnc);
    const old = before.get(key);
    before.delete(key);
    if (old === undefined) added.push(row);
    else if (old.costMinor !== row.costMinor) {
      changed.push({ mcc: row.mcc, mnc: row.mnc, oldMinor: old.costMinor, newMinor: row.costMinor });
    } else unchanged++;
  }
  return {
    added,
    removed: sortedCostRows([...before.values()]),
    changed,
    unchanged,
    currencyBefore: stored?.currency ?? null,
    currencyAfter: proposed.currency,
  };
}

/** True when the replacement would change nothing: same currency, same rows. */
export function isEmptyDiff(diff: CostListDiff): boolean {
  return (
    diff.currencyBefore === diff.currencyAfter &&
    diff.added.length === 0 &&
    diff.removed.length === 0 &&
    diff.changed.length === 0
  );
}

/** A CostBook over the lists given: the network's row, else the country's, else null. */
export function costBookOf(version: number, lists: readonly CostList[]): CostBook {
  const costs = new Map<string, ProviderCost>();
  for (const list of lists) {
    for (const row of list.rows) {
      costs.set(`${list.provider}|${networkKey(row.mcc, row.mnc)}`, {
        amountMinor: row.costMinor,
        currency: list.currency,
      });
    }
  }
  return Object.freeze({
    version,
    costOf(provider: string, mcc: string | null, mnc: string | null): ProviderCost | null {
      if (mcc === null) return null;
      const network = mnc === null || mnc === '' ? undefined : costs.get(`${provider}|${networkKey(mcc, mnc)}`);
      return network ?? costs.get(`${provider}|${networkKey(mcc, null)}`) ?? null;
    },
  });
}
