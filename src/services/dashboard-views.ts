// Store objects as the dashboard's JSON shows them (src/dashboard/contract.ts): money as decimal strings, ISO times.
import type {
  AccountView,
  AdminAccountView,
  AdminSenderView,
  CampaignView,
  CreatedTokenView,
  RecipientView,
  SenderView,
  TokenView,
  TransactionView,
} from '../dashboard/contract.js';
import { currencyOf, formatBalance, formatMinor, toJsonNumber } from '../domain/money.js';
import type { Account } from '../store/accounts.js';
import type { AdminAccount } from '../store/admin-views.js';
import type { Campaign, Recipient } from '../store/campaigns.js';
import type { LedgerEntry } from '../store/ledger.js';
import type { ReviewedSender } from '../store/sender-reviews.js';
import type { Sender } from '../store/senders.js';
import type { TokenInfo } from '../store/tokens.js';

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

export function createdTokenView(token: TokenInfo, secret: string): CreatedTokenView {
  return { ...tokenView(token), token: secret };
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

export function transactionCsvLine(entry: LedgerEntry): string {
  const view = transactionView(entry);
  // Amounts are numbers to a spreadsheet, signs included: written as they are.
  return [
    csvCell(view.id),
    csvCell(view.kind),
    view.amount,
    view.balance_after,
    csvCell(view.sending_id),
    csvCell(view.note),
    csvCell(view.created_at),
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
  };
}

export function recipientView(recipient: Recipient): RecipientView {
  return {
    id: recipient.id,
    recipient: recipient.recipient,
    country: recipient.country,
    mcc: recipient.mcc,
    mnc: recipient.mnc,
    parts: recipient.parts,
    cost: amountText(recipient.costMinor),
    status: recipient.status,
    provider_status: recipient.providerStatus,
    error: recipient.error,
    updated_at: isoMs(recipient.updatedAtUs),
  };
}
