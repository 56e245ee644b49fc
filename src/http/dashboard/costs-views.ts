// Providers' cost lists as the dashboard's operator pages read them.
import type { CostListDiff, CostRow } from '../../domain/cost-lists.js';
import { formatMinor } from '../../domain/money.js';
import type { CostImport, ProviderCostList } from '../../services/provider-costs.js';
import type { CostListView, CostRowView, CostsDiff } from './contract.js';
import { isoMs } from './views.js';

export function costListView({ provider, list }: ProviderCostList): CostListView {
  return {
    provider,
    currency: list?.currency ?? null,
    rows: list?.rows.length ?? 0,
    version: list?.version ?? 0,
    updated_at: list ? isoMs(list.updatedAtUs) : null,
  };
}

function costRowView(row: CostRow): CostRowView {
  return { mcc: row.mcc, mnc: row.mnc, cost: formatMinor(row.costMinor) };
}

function diffView(diff: CostListDiff) {
  return {
    currency_before: diff.currencyBefore,
    added: diff.added.map(costRowView),
    removed: diff.removed.map(costRowView),
    changed: diff.changed.map((c) => ({
      mcc: c.mcc,
      mnc: c.mnc,
      old: formatMinor(c.oldMinor),
      new: formatMinor(c.newMinor),
    })),
    unchanged: diff.unchanged,
  };
}

export function costsDiffView(result: CostImport & { readonly ok: true }): CostsDiff {
  return {
    provider: result.provider,
    currency: result.currency,
    ...diffView(result.diff),
    replaced: result.replaced,
    version: result.version,
  };
}
