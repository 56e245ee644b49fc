// Reads the fields of a new sending beyond message and recipients: sender, scheduled_at, type, callback_url,
// send_window, validity_minutes.

import { callbackUrlProblem } from '../domain/ip-address.js';
import { SCHEDULED_AT_BEFORE, VALIDITY_MINUTES_MAX, VALIDITY_MINUTES_MIN } from '../domain/limits.js';
import { formatSendWindow, parseSendWindow } from '../domain/send-window.js';
import { SENDING_TYPES, type SendingType } from '../domain/sending.js';
import { ruleText, SERVER_TEXTS, TEXTS, type ValidationErrors, windowTexts } from '../domain/texts.js';
import { usFromYmdHis } from '../domain/time.js';

export interface SendingOptions {
  readonly sender: string | null;
  /** Microseconds since the epoch (UTC); null means now. */
  readonly scheduledAtUs: number | null;
  readonly type: SendingType;
  readonly callbackUrl: string | null;
  /** `send_window` in its canonical form (`HH:MM-HH:MM`, recipients' local time); null: any time. */
  readonly sendWindow: string | null;
  /** `validity_minutes`; null: no limit. */
  readonly validityMinutes: number | null;
}

export const CALLBACK_URL_CHARS_MAX = 2048;
/** callback_url naming this host or a private, link-local, multicast or reserved address (literal or localhost). */
export const CALLBACK_URL_INTERNAL_TEXT = SERVER_TEXTS.callbackUrlInternal;

export interface SendingFieldsPolicy {
  /** callback_url may name internal addresses (CALLBACK_ALLOW_PRIVATE): local development and tests. */
  readonly allowPrivateCallbacks?: boolean;
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL_CHAR_RE = /[\u0000-\u001f\u007f]/;
const SCHEDULED_BEFORE_US = usFromYmdHis(SCHEDULED_AT_BEFORE) as number;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Why a non-blank callback_url is refused, or null when it is a public http(s) URL (or a private one, allowed). */
export function callbackUrlFieldProblem(raw: unknown, allowPrivate: boolean): ReturnType<typeof callbackUrlProblem> {
  // Control characters (CR, LF, NUL) and lone surrogates have no place in a URL; NUL could not even be stored.
  if (
    typeof raw !== 'string' ||
    raw.length > CALLBACK_URL_CHARS_MAX ||
    !raw.isWellFormed() ||
    CONTROL_CHAR_RE.test(raw)
  ) {
    return 'not_http';
  }
  return callbackUrlProblem(raw, allowPrivate);
}

/** scheduled_at (`Y-m-d H:i:s`, UTC, spaces around ignored) as microseconds, negative before 1970; or why not. */
export function readScheduledAt(raw: unknown): number | 'format' | 'too_late' {
  const parsed = typeof raw === 'string' ? usFromYmdHis(raw.trim()) : null;
  if (parsed === null) return 'format';
  return parsed >= SCHEDULED_BEFORE_US ? 'too_late' : parsed;
}

/**
 * Checks sender, scheduled_at, type and callback_url, adding failures to `errors` in that order. Whether the sender
 * exists and the type's provider is configured is for the caller, who knows the account and the platform.
 */
export function readSendingOptions(
  fields: Readonly<Record<string, unknown>>,
  errors: ValidationErrors,
  policy: SendingFieldsPolicy = {},
): SendingOptions {
  let sender: string | null = null;
  const rawSender = fields.sender;
  if (isBlank(rawSender)) errors.add('sender', TEXTS.senderRequired);
  else if (typeof rawSender !== 'string') errors.add('sender', ruleText.string('sender'));
  // No sender name holds a NUL (PostgreSQL cannot even look one up): it names no sender.
  else if (rawSender.includes('\u0000')) errors.add('sender', ruleText.selectedInvalid('sender'));
  else sender = rawSender.trim();

  let scheduledAtUs: number | null = null;
  const rawScheduled = fields.scheduled_at;
  if (!isBlank(rawScheduled)) {
    const parsed = readScheduledAt(rawScheduled);
    if (parsed === 'format') errors.add('scheduled_at', ruleText.dateFormat('scheduled_at', 'Y-m-d H:i:s'));
    else if (parsed === 'too_late')
      errors.add('scheduled_at', ruleText.dateBefore('scheduled_at', SCHEDULED_AT_BEFORE));
    // A time before 1970 is in the past, and the past means now.
    else scheduledAtUs = parsed < 0 ? null : parsed;
  }

  let type: SendingType = 'default';
  const rawType = fields.type;
  if (!isBlank(rawType)) {
    const found = SENDING_TYPES.find((t) => t === rawType);
    if (found === undefined) errors.add('type', ruleText.selectedInvalid('type'));
    else type = found;
  }

  let callbackUrl: string | null = null;
  const rawCallback = fields.callback_url;
  if (!isBlank(rawCallback)) {
    const problem = callbackUrlFieldProblem(rawCallback, policy.allowPrivateCallbacks === true);
    if (problem === null) callbackUrl = rawCallback as string;
    else if (problem === 'internal_address') errors.add('callback_url', CALLBACK_URL_INTERNAL_TEXT);
    else errors.add('callback_url', ruleText.url('callback_url'));
  }
  return { sender, scheduledAtUs, type, callbackUrl, ...readDeliveryOptions(fields, errors) };
}

/**
 * The optional `send_window` (`HH:MM-HH:MM`, read in each recipient's local time; a start after the end crosses
 * midnight) and `validity_minutes` (a whole number, VALIDITY_MINUTES_MIN to VALIDITY_MINUTES_MAX), failures added to
 * `errors`; absent or blank means none.
 */
export function readDeliveryOptions(
  fields: Readonly<Record<string, unknown>>,
  errors: ValidationErrors,
): Pick<SendingOptions, 'sendWindow' | 'validityMinutes'> {
  let sendWindow: string | null = null;
  const rawWindow = fields.send_window;
  if (!isBlank(rawWindow)) {
    const parsed = typeof rawWindow === 'string' ? parseSendWindow(rawWindow) : null;
    if (parsed === null) errors.add('send_window', windowTexts.sendWindowFormat);
    else sendWindow = formatSendWindow(parsed);
  }
  let validityMinutes: number | null = null;
  const rawValidity = fields.validity_minutes;
  if (!isBlank(rawValidity)) {
    const n =
      typeof rawValidity === 'number'
        ? rawValidity
        : typeof rawValidity === 'string' && /^\s*-?\d+\s*$/.test(rawValidity)
          ? Number(rawValidity)
          : Number.NaN;
    if (!Number.isSafeInteger(n)) errors.add('validity_minutes', ruleText.integer('validity_minutes'));
    else if (n < VALIDITY_MINUTES_MIN)
      errors.add('validity_minutes', ruleText.minNumber('validity_minutes', VALIDITY_MINUTES_MIN));
    else if (n > VALIDITY_MINUTES_MAX)
      errors.add('validity_minutes', ruleText.maxNumber('validity_minutes', VALIDITY_MINUTES_MAX));
    else validityMinutes = n;
  }
  return { sendWindow, validityMinutes };
}
