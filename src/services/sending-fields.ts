// Reads the fields of a new sending beyond message and recipients: sender, scheduled_at, type, callback_url.

import { callbackUrlProblem } from '../domain/ip-address.js';
import { SCHEDULED_AT_BEFORE } from '../domain/limits.js';
import { SENDING_TYPES, type SendingType } from '../domain/sending.js';
import { ruleText, TEXTS, type ValidationErrors } from '../domain/texts.js';
import { usFromYmdHis } from '../domain/time.js';

export interface SendingOptions {
  readonly sender: string | null;
  /** Microseconds since the epoch (UTC); null means now. */
  readonly scheduledAtUs: number | null;
  readonly type: SendingType;
  readonly callbackUrl: string | null;
}

export const CALLBACK_URL_CHARS_MAX = 2048;
/** callback_url naming this host or a private, link-local, multicast or reserved address (literal or localhost). */
export const CALLBACK_URL_INTERNAL_TEXT =
  'The callback url must not point to a private, loopback, link-local or multicast address.';

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
  return { sender, scheduledAtUs, type, callbackUrl };
}
