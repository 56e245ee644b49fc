// The operator's margin report: revenue net of refunds, provider cost and margin over a range of UTC days, grouped by
// day, destination country, provider or account; for the dashboard's Margin page and `smsgic report margin`.
import { MARGIN_DAYS_DEFAULT, MARGIN_DAYS_MAX } from '../domain/limits.js';
import { formatMinor } from '../domain/money.js';
import { isCalendarDate } from '../domain/price-lists.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { US_PER_DAY } from '../store/admin-views.js';
import type { Db } from '../store/db.js';
import { dayText, MARGIN_GROUPINGS, type MarginGrouping, type MarginRow, marginReport } from '../store/margins.js';
import type { UseCaseContext } from './context.js';
import { type Fields, oneOfField, textField } from './form-fields.js';
import { invalid, type Outcome, ok } from './outcome.js';

export type { MarginGrouping, MarginRow };
export { MARGIN_GROUPINGS };

/** One currency's sums over the report's groups (minor units). */
export interface MarginTotal {
  readonly currency: string;
  readonly messages: number;
  readonly chargedMinor: number;
  readonly refundedMinor: number;
  readonly revenueMinor: number;
  readonly costMinor: number;
  readonly costUnknown: number;
  readonly marginMinor: number;
}

export interface MarginReport {
  /** The first and last UTC day covered, YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  readonly by: MarginGrouping;
  readonly rows: readonly MarginRow[];
  /** One per currency, in the rows' order. */
  readonly totals: readonly MarginTotal[];
}

function dayOf(text: string): number {
  return Math.floor(Date.parse(`${text}T00:00:00Z`) / 86_400_000);
}

function dayField(fields: Fields, name: string, errors: ValidationErrors): number | undefined {
  const text = textField(fields, name, errors, { max: 10 });
  if (text === undefined) return undefined;
  if (!isCalendarDate(text)) {
    errors.add(name, ruleText.dateFormat(name, 'Y-m-d'));
    return undefined;
  }
  return dayOf(text);
}

/** The report over `from`…`to` (default the last 30 days to today, UTC), grouped `by` (default per day). */
export async function marginReportFor(db: Db, fields: Fields): Promise<Outcome<MarginReport>> {
  const errors = new ValidationErrors();
  const by = oneOfField(fields, 'by', MARGIN_GROUPINGS, errors) ?? 'day';
  const today = Math.floor(db.nowUs() / US_PER_DAY);
  const to = dayField(fields, 'to', errors) ?? today;
  const from = dayField(fields, 'from', errors) ?? to - MARGIN_DAYS_DEFAULT + 1;
  if (!errors.has('from') && !errors.has('to')) {
    if (from > to) errors.add('from', ruleText.dateBeforeOrEqual('from', dayText(to)));
    else if (to - from + 1 > MARGIN_DAYS_MAX) errors.add('from', ruleText.rangeDaysMax(MARGIN_DAYS_MAX));
  }
  if (!errors.empty) return invalid(errors);
  const rows = await marginReport(db, { fromUs: from * US_PER_DAY, toUs: (to + 1) * US_PER_DAY, by });
  return ok({ from: dayText(from), to: dayText(to), by, rows, totals: marginTotals(rows) });
}

export function marginTotals(rows: readonly MarginRow[]): MarginTotal[] {
  const totals = new Map<string, MarginTotal>();
  for (const row of rows) {
    const t = totals.get(row.currency);
    totals.set(row.currency, {
      currency: row.currency,
      messages: (t?.messages ?? 0) + row.messages,
      chargedMinor: (t?.chargedMinor ?? 0) + row.chargedMinor,
      refundedMinor: (t?.refundedMinor ?? 0) + row.refundedMinor,
      revenueMinor: (t?.revenueMinor ?? 0) + row.revenueMinor,
      costMinor: (t?.costMinor ?? 0) + row.costMinor,
      costUnknown: (t?.costUnknown ?? 0) + row.costUnknown,
      marginMinor: (t?.marginMinor ?? 0) + row.marginMinor,
    });
  }
  return [...totals.values()];
}

export const MARGIN_CSV_HEADER = 'currency,group,name,messages,charged,refunded,revenue,cost,cost_unknown,margin';

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The report as CSV: a header, one line per group, amounts as decimals of the currency (exact). */
export function marginCsv(report: MarginReport): string {
  const lines = [MARGIN_CSV_HEADER];
  for (const row of report.rows) {
    lines.push(
      [
        row.currency,
        csvCell(row.key),
        csvCell(row.label),
        String(row.messages),
        formatMinor(row.chargedMinor),
        formatMinor(row.refundedMinor),
        formatMinor(row.revenueMinor),
        formatMinor(row.costMinor),
        String(row.costUnknown),
        formatMinor(row.marginMinor),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The margin report for the operator's dashboard pages. */
export function createMarginServices({ deps }: UseCaseContext) {
  return {
    report: (fields: Fields) => marginReportFor(deps.db, fields),
  };
}
