// Store objects as the dashboard's JSON shows them (contract.ts): money as decimal strings, ISO times.

import { currencyOf, formatBalance, formatMinor, toJsonNumber } from '../../domain/money.js';
import { formatConversionRate, type RateListDiff } from '../../domain/price-lists.js';
import type { RouteRule } from '../../domain/routing.js';
import { messageMoney } from '../../domain/status.js';
import type { AccountCountries } from '../../services/account-controls.js';
import type { PriceSummary } from '../../services/compose.js';
import type { PageOf } from '../../services/form-fields.js';
import type { MarginReport, MarginTotal } from '../../services/margins.js';
import type { ProviderHealth } from '../../services/operator.js';
import type { Account } from '../../store/accounts.js';
import type { AdminAccount, VolumeRow } from '../../store/admin-views.js';
import type { Campaign, Recipient } from '../../store/campaigns.js';
import type { NewInvitation, OpenInvitation } from '../../store/invitations.js';
import type { LedgerEntry } from '../../store/ledger.js';
import type { PriceListSummary } from '../../store/rates.js';
import type { ReviewedSender } from '../../store/sender-reviews.js';
import type { Sender } from '../../store/senders.js';
import type { ActiveSession } from '../../store/sessions.js';
import type { Suppression, SuppressionChange } from '../../store/suppressions.js';
import type { TokenInfo } from '../../store/tokens.js';
import type { WebhookSecret } from '../../store/webhook-secrets.js';
import type {
  AccountView,
  AdminAccountView,
  AdminSenderView,
  CampaignView,
  CountriesView,
  CreatedTokenView,
  InvitationView,
  MarginAmountsView,
  MarginReportView,
  Me,
  NewInvitationView,
  OptOutChangeView,
  OptOutView,
  Page,
  PriceListView,
  PriceView,
  ProviderHealthView,
  RatesImported,
  RateView,
  RecipientView,
  RouteRuleView,
  SenderView,
  TokenView,
  TransactionView,
  VolumeDay,
  WebhookSecretView,
} from './contract.js';

/** "2026-11-25T10:00:00.000Z": the dashboard shows milliseconds, as browsers' Date does. */
export function isoMs(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

export function isoMsOrNull(us: number | null): string | null {
  return us === null ? null : isoMs(us);
}

/** A balance as the public API writes it: three decimals, truncated ("449.120"). */
export function balanceText(minor: number): string {
  return formatBalance(minor);
}

/** An amount (rate, cost, total, ledger movement) as the public API writes it, exact, as a string ("0.4397", "12.5"). */
export function amountText(minor: number): string {
  return toJsonNumber(minor);
}

/** A tax rate in percent without trailing zeros ("20", "7.125"). */
export function percentText(ppm: number): string {
  return formatMinor(ppm).replace(/\.?0+$/, '');
}

export function accountView(account: Account): AccountView {
  return {
    id: account.id,
    name: account.name,
    currency: account.currency,
    sign: currencyOf(account.currency)?.sign ?? account.currency,
    balance: balanceText(account.balanceMinor),
    tax_rate: percentText(account.taxRatePpm),
    suspended: account.suspendedAtUs !== null,
  };
}

export function adminAccountView(row: AdminAccount): AdminAccountView {
  return {
    ...accountView(row.account),
    email: row.email,
    created_at: isoMs(row.account.createdAtUs),
    sendings: row.sendings,
  };
}

export function tokenView(token: TokenInfo): TokenView {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    created_at: isoMs(token.createdAtUs),
    last_used_at: isoMsOrNull(token.lastUsedAtUs),
    revoked_at: isoMsOrNull(token.revokedAtUs),
    expires_at: isoMsOrNull(token.expiresAtUs),
  };
}

export function createdTokenView({ info, secret }: { info: TokenInfo; secret: string }): CreatedTokenView {
  return { ...tokenView(info), token: secret };
}

export function transactionView(entry: LedgerEntry): TransactionView {
  return {
    id: entry.id,
    kind: entry.kind,
    amount: amountText(entry.amountMinor),
    balance_after: balanceText(entry.balanceAfterMinor),
    sending_id: entry.sendingId,
    note: entry.note,
    created_at: isoMs(entry.createdAtUs),
  };
}

export const TRANSACTION_CSV_HEADER = 'id,kind,amount,balance_after,sending_id,note,created_at';

/** One CSV cell: quoted when needed; text a spreadsheet would run as a formula is defused with a leading quote. */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One ledger entry as a CSV row. Every money column (`amount`, `balance_after`) is the exact ledger value as a plain
 * decimal with a point and four decimals, signed ("-0.0410", "30.5820"): numbers to a spreadsheet, written unquoted.
 * `created_at` is ISO-8601 UTC to the millisecond ("2026-12-06T02:05:29.123Z"), as everywhere in the dashboard.
 */
export function transactionCsvLine(entry: LedgerEntry): string {
  return [
    csvCell(entry.id),
    csvCell(entry.kind),
    formatMinor(entry.amountMinor),
    formatMinor(entry.balanceAfterMinor),
    csvCell(entry.sendingId),
    csvCell(entry.note),
    csvCell(isoMs(entry.createdAtUs)),
  ].join(',');
}

export function senderView(sender: Sender): SenderView {
  return {
    id: sender.id,
    name: sender.name,
    status: sender.status,
    platform: sender.accountId === null,
    created_at: isoMs(sender.createdAtUs),
  };
}

export function adminSenderView(sender: ReviewedSender): AdminSenderView {
  return { ...senderView(sender), account_id: sender.accountId, account_name: sender.accountName };
}

export function campaignView(campaign: Campaign): CampaignView {
  const { sending } = campaign;
  return {
    id: sending.id,
    text: sending.text,
    sender: sending.sender,
    type: sending.type,
    status: sending.status,
    created_at: isoMs(sending.createdAtUs),
    scheduled_at: isoMs(sending.scheduledAtUs),
    recipients: sending.recipients,
    parts_total: sending.smsCount,
    encoding: sending.encoding,
    total: amountText(sending.totalMinor),
    refunded: amountText(campaign.refundedMinor),
    counts: { ...campaign.counts },
    ...(sending.sendWindow !== null && { send_window: sending.sendWindow }),
    ...(sending.validityMinutes !== null && { validity_minutes: sending.validityMinutes }),
  };
}

export function recipientView(recipient: Recipient): RecipientView {
  const { chargedMinor, refundedMinor } = messageMoney(recipient);
  return {
    id: recipient.id,
    recipient: recipient.recipient,
    country: recipient.country,
    iso: recipient.iso,
    destination: recipient.destination,
    mcc: recipient.mcc,
    mnc: recipient.mnc,
    parts: recipient.parts,
    cost: amountText(recipient.costMinor),
    charged: amountText(chargedMinor),
    refunded: amountText(refundedMinor),
    status: recipient.status,
    provider_status: recipient.providerStatus,
    error: recipient.error,
    updated_at: isoMs(recipient.updatedAtUs),
  };
}

export function pageView<T, V>(found: PageOf<T>, view: (row: T) => V): Page<V> {
  return { data: found.rows.map(view), page: found.page, per_page: found.perPage, total: found.total };
}

export function meView(session: ActiveSession): Me {
  return { user: { ...session.user }, account: accountView(session.account), csrfToken: session.csrfToken };
}

/** An import's answer: the diff it applied, or on a dry run would apply. */
export function ratesImportedView(imported: {
  readonly imported: number;
  readonly currency: string;
  readonly diff: RateListDiff;
  readonly dryRun: boolean;
}): RatesImported {
  const { diff } = imported;
  const row = (rate: { mcc: string; mnc: string | null; rateMinor: number }) => ({
    mcc: rate.mcc,
    mnc: rate.mnc,
    rate: amountText(rate.rateMinor),
  });
  return {
    imported: imported.imported,
    currency: imported.currency,
    dry_run: imported.dryRun,
    added: diff.added.map(row),
    removed: diff.removed.map(row),
    changed: diff.changed.map((change) => ({
      mcc: change.mcc,
      mnc: change.mnc,
      old_rate: amountText(change.oldRateMinor),
      new_rate: amountText(change.newRateMinor),
    })),
    unchanged: diff.unchanged,
  };
}

export function rateView(rate: {
  readonly country: string | null;
  readonly iso: string | null;
  readonly mcc: string;
  readonly mnc: string | null;
  readonly rateMinor: number;
}): RateView {
  return {
    country: rate.country ?? '',
    iso: rate.iso ?? '',
    mcc: rate.mcc,
    mnc: rate.mnc,
    rate: amountText(rate.rateMinor),
  };
}

export function priceListView(list: PriceListSummary): PriceListView {
  return {
    list: list.owner === 0 ? 'default' : 'account',
    account_id: list.owner === 0 ? null : list.owner,
    account_name: list.accountName,
    currency: list.currency,
    sign: currencyOf(list.currency)?.sign ?? list.currency,
    source: list.source,
    converted_from: list.conversion?.baseCurrency ?? null,
    rate: list.conversion ? formatConversionRate(list.conversion.ratePpm) : null,
    rate_date: list.conversion?.rateDate ?? null,
    rates: list.rates,
  };
}

export function priceView({
  quote,
  characters,
  invalid,
  invalidTotal,
  account,
  smartEncoding,
}: PriceSummary): PriceView {
  return {
    smart_encoding:
      smartEncoding === null
        ? null
        : {
            on: smartEncoding.on,
            text: smartEncoding.text,
            parts: smartEncoding.parts,
            saved: amountText(smartEncoding.savedMinor),
          },
    encoding: quote.encoding,
    ucs2_characters: [...quote.ucs2Characters],
    characters,
    parts: quote.partsPerMessage,
    recipients: quote.recipients.length + quote.suppressed.length + invalidTotal,
    valid: quote.recipients.length,
    invalid,
    invalid_total: invalidTotal,
    suppressed: quote.suppressed.length,
    destinations: quote.destinations.map((d) => ({
      country: d.name,
      iso: d.country.iso,
      country_name: d.country.name,
      mcc: d.mcc,
      mnc: d.mnc,
      recipients: d.numbers,
      rate: amountText(d.rateMinor),
      cost: amountText(d.totalMinor),
    })),
    subtotal: amountText(quote.subtotalMinor),
    tax: amountText(quote.taxMinor),
    total: amountText(quote.totalMinor),
    currency: account.currency,
    sign: currencyOf(account.currency)?.sign ?? account.currency,
    balance: balanceText(account.balanceMinor),
    affordable: account.balanceMinor >= quote.totalMinor,
  };
}

export function providerHealthView({ name, configured, activity }: ProviderHealth): ProviderHealthView {
  return {
    name,
    configured,
    submitted_last_hour: activity?.submitted ?? 0,
    delivered_last_hour: activity?.delivered ?? 0,
    failed_last_hour: activity?.failed ?? 0,
    last_error: activity?.lastError ?? null,
    last_activity_at: activity?.lastActivityAtUs == null ? null : isoMs(activity.lastActivityAtUs),
  };
}

const MS_PER_DAY = 86_400_000;

export function volumeDayView(row: VolumeRow): VolumeDay {
  return {
    day: new Date(row.day * MS_PER_DAY).toISOString().slice(0, 10),
    sendings: row.sendings,
    messages: row.messages,
    parts: row.parts,
    delivered: row.delivered,
    failed: row.failed,
  };
}

export function optOutView(s: Suppression): OptOutView {
  return {
    phone: s.phone,
    source: s.source,
    created_at: isoMs(s.createdAtUs),
    sender: s.sender === '' ? null : s.sender,
  };
}

export function optOutChangeView(change: SuppressionChange): OptOutChangeView {
  return {
    action: change.action,
    source: change.source,
    actor: change.actor,
    at: isoMs(change.atUs),
    sender: change.sender === '' ? null : change.sender,
  };
}

export const OPT_OUT_CSV_HEADER = 'phone,source,created_at,sender';

/** A sender as a CSV cell: quoted when it holds a comma, a quote or a space at either end. */
function senderCell(sender: string): string {
  return /[",\r\n]|^\s|\s$/.test(sender) ? `"${sender.replaceAll('"', '""')}"` : sender;
}

/**
 * The opt-out list as CSV lines, header first (numbers and sources are digits and words; a sender is quoted when it
 * needs to be; blank for an account-wide entry).
 */
export async function* optOutCsvLines(batches: AsyncIterable<readonly Suppression[]>): AsyncGenerator<string> {
  yield `${OPT_OUT_CSV_HEADER}\r\n`;
  for await (const batch of batches) {
    yield batch.map((s) => `${s.phone},${s.source},${isoMs(s.createdAtUs)},${senderCell(s.sender)}\r\n`).join('');
  }
}

/** The ledger as CSV lines, header first. */
export async function* transactionCsvLines(batches: AsyncIterable<readonly LedgerEntry[]>): AsyncGenerator<string> {
  yield `${TRANSACTION_CSV_HEADER}\r\n`;
  for await (const batch of batches) yield batch.map((entry) => `${transactionCsvLine(entry)}\r\n`).join('');
}

export function webhookSecretView(secret: WebhookSecret): WebhookSecretView {
  return {
    secret: secret.secret,
    previous_valid_until: isoMsOrNull(secret.previousValidUntilUs),
    rotated_at: isoMsOrNull(secret.rotatedAtUs),
  };
}

export function countriesView(countries: AccountCountries): CountriesView {
  return { allowed: countries.allowed, chosen: countries.chosen, sends_to: countries.effective };
}

export function newInvitationView(invitation: NewInvitation): NewInvitationView {
  return { email: invitation.email, token: invitation.token, expires_at: isoMs(invitation.expiresAtUs) };
}

export function invitationView(invitation: OpenInvitation): InvitationView {
  return {
    email: invitation.email,
    account_name: invitation.accountName,
    expires_at: isoMs(invitation.expiresAtUs),
  };
}

export function routeRuleView(rule: RouteRule): RouteRuleView {
  return {
    id: rule.id,
    position: rule.isDefault ? null : rule.position,
    default: rule.isDefault,
    mcc: rule.mcc,
    mnc: rule.mnc,
    prefix: rule.prefix,
    account_id: rule.accountId,
    type: rule.sendingType,
    sender_kind: rule.senderKind,
    strategy: rule.strategy,
    providers: rule.providers,
    min_delivery_ppm: rule.quality.minDeliveryPpm,
    max_latency_ms: rule.quality.maxLatencyMs,
    min_reports: rule.quality.minReports,
    loss: rule.loss,
  };
}

function marginAmountsView(row: MarginTotal): MarginAmountsView {
  return {
    currency: row.currency,
    sign: currencyOf(row.currency)?.sign ?? row.currency,
    messages: row.messages,
    charged: formatMinor(row.chargedMinor),
    refunded: formatMinor(row.refundedMinor),
    revenue: formatMinor(row.revenueMinor),
    cost: formatMinor(row.costMinor),
    cost_unknown: row.costUnknown,
    margin: formatMinor(row.marginMinor),
    revenue_minor: row.revenueMinor,
    cost_minor: row.costMinor,
    margin_minor: row.marginMinor,
  };
}

export function marginReportView(report: MarginReport): MarginReportView {
  return {
    from: report.from,
    to: report.to,
    by: report.by,
    rows: report.rows.map((row) => ({ ...marginAmountsView(row), key: row.key, label: row.label })),
    totals: report.totals.map(marginAmountsView),
  };
}
