// Messente's delivery statuses and `err` codes, as tables, turned into our report statuses and error texts.
import type { ReportStatus } from '../../../domain/status.js';
import { usFromIso } from '../../../domain/time.js';
import type { DeliveryReport } from '../../provider.js';

/** Every `status` Messente's Omnichannel API documents (messente-api `docs/Status.md`). */
export const MESSENTE_STATUSES = [
  'ACK',
  'DELIVRD',
  'UNDELIV',
  'FAILED',
  'UNKNOWN',
  'ACCEPTD',
  'REJECTD',
  'DELETED',
  'EXPIRED',
  'NACK',
  'SEEN',
] as const;
export type MessenteStatus = (typeof MESSENTE_STATUSES)[number];

/**
 * Ours for each of Messente's statuses. The SMPP-derived words keep their SMPP meaning: ACK and ACCEPTD are on the way
 * (not final); UNKNOWN is SMPP's final "invalid state" and DELETED a message removed before delivery, both charged as
 * undelivered rather than left open for days; NACK is the operator refusing the message. SEEN (a read receipt, from
 * the chat channels) implies delivery.
 */
export const MESSENTE_STATUS_TABLE: Readonly<Record<MessenteStatus, ReportStatus>> = {
  ACK: 'submitted',
  ACCEPTD: 'submitted',
  DELIVRD: 'delivered',
  SEEN: 'delivered',
  UNDELIV: 'undelivered',
  FAILED: 'undelivered',
  UNKNOWN: 'undelivered',
  DELETED: 'undelivered',
  EXPIRED: 'expired',
  REJECTD: 'rejected',
  NACK: 'rejected',
};

/**
 * Messente's `err` codes (messente-api `docs/ErrorCodeOmnichannelMachine.md`) with their meaning and, where the code
 * says more than a bare "not delivered", the status it makes of an undelivered message: an expiry is `expired`, a
 * number or sender the network will never take is `rejected`.
 */
export const MESSENTE_ERR_TABLE: Readonly<Record<number, { readonly text: string; readonly status?: ReportStatus }>> = {
  0: { text: 'no error' },
  1: { text: 'delivery failure' },
  2: { text: 'sending message expired', status: 'expired' },
  3: { text: 'invalid number', status: 'rejected' },
  4: { text: 'error crediting account', status: 'rejected' },
  5: { text: 'invalid number format', status: 'rejected' },
  6: { text: 'too many identical messages', status: 'rejected' },
  7: { text: 'sender name not allowed', status: 'rejected' },
  8: { text: 'operator blacklisted', status: 'rejected' },
  9: { text: 'unroutable', status: 'rejected' },
  10: { text: 'seen' },
  999: { text: 'general temporary error' },
};

export function isMessenteStatus(text: unknown): text is MessenteStatus {
  return typeof text === 'string' && (MESSENTE_STATUSES as readonly string[]).includes(text);
}

export interface MessenteOutcome {
  readonly status: ReportStatus;
  /** Null for a delivery or a step on the way; otherwise Messente's words for what went wrong. */
  readonly error: string | null;
}

/**
 * Our status for one of Messente's reports. `err` refines only the statuses that already say "not delivered"
 * (UNDELIV, FAILED, UNKNOWN, DELETED): a report saying DELIVRD or REJECTD is taken at its word whatever its `err`.
 */
export function messenteOutcome(status: MessenteStatus, err: number | null, error: string | null): MessenteOutcome {
  const base = MESSENTE_STATUS_TABLE[status];
  if (base === 'submitted' || base === 'delivered') return { status: base, error: null };
  const code = err === null ? undefined : MESSENTE_ERR_TABLE[err];
  const refined = base === 'undelivered' && code?.status ? code.status : base;
  const parts = [`messente: ${status}`];
  if (err !== null && err !== 0) parts.push(`err ${err} (${code?.text ?? 'undocumented code'})`);
  const detail = error?.trim();
  return { status: refined, error: detail ? `${parts.join(' ')}: ${detail}` : parts.join(' ') };
}

/** What became of one of Messente's delivery results (a DLR body, or an item of the status endpoint's `statuses`). */
export type MessenteResult =
  | { readonly report: DeliveryReport }
  /** Nothing for us: another channel's result, or no status yet ("null if the message is still being processed"). */
  | { readonly skipped: string }
  | { readonly malformed: string };

function optionalInt(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Reads one delivery result: `{status, channel, message_id, err, error, timestamp, …}`. The timestamp carries no zone
 * in Messente's example ("2025-03-01T10:00:04.123456"); it is read as UTC (UNCONFIRMED), and left out when unreadable.
 */
export function messenteResultOf(value: unknown): MessenteResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { malformed: 'not a JSON object' };
  const item = value as Record<string, unknown>;
  const messageId = item.message_id;
  if (typeof messageId !== 'string' || messageId === '') return { malformed: 'message_id is missing' };
  if (item.channel !== undefined && item.channel !== null && item.channel !== 'sms') {
    return { skipped: `a ${String(item.channel)} result` };
  }
  if (item.status === null || item.status === undefined) return { skipped: 'no status yet' };
  if (!isMessenteStatus(item.status)) return { malformed: `undocumented status ${JSON.stringify(item.status)}` };
  const err = optionalInt(item.err);
  if (err === undefined) return { malformed: `err is not a code: ${JSON.stringify(item.err)}` };
  const error = typeof item.error === 'string' ? item.error : null;
  const outcome = messenteOutcome(item.status, err, error);
  const reportedAtUs = typeof item.timestamp === 'string' ? usFromIso(item.timestamp) : null;
  return { report: { providerMessageId: messageId, ...outcome, reportedAtUs } };
}
