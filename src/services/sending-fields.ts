// Reads the fields of a new sending beyond message and recipients: sender, scheduled_at, type, callback_url.
import { SCHEDULED_AT_BEFORE } from '../domain/limits.js';
import { ruleText, TEXTS, type ValidationErrors } from '../domain/texts.js';
import { usFromYmdHis } from '../domain/time.js';
import type { SendingType } from '../store/sendings.js';

export const SENDING_TYPES: readonly SendingType[] = ['default', 'infobip', 'twilio', 'messente', 'trumpia'];

export interface SendingOptions {
  readonly sender: string | null;
  /** Microseconds since the epoch (UTC); null means now. */
  readonly scheduledAtUs: number | null;
  readonly type: SendingType;
  readonly callbackUrl: string | null;
}

const CALLBACK_URL_CHARS_MAX = 2048;
const SCHEDULED_BEFORE_US = usFromYmdHis(SCHEDULED_AT_BEFORE) as number;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * Checks sender, scheduled_at, type and callback_url, adding failures to `errors` in that order. Whether the sender
 * exists and the type's provider is configured is for the caller, who knows the account and the platform.
 */
export function readSendingOptions(
  fields: Readonly<Record<string, unknown>>,
  errors: ValidationErrors,
): SendingOptions {
  let sender: string | null = null;
  const rawSender = fields.sender;
  if (isBlank(rawSender)) errors.add('sender', TEXTS.senderRequired);
  else if (typeof rawSender !== 'string') errors.add('sender', ruleText.string('sender'));
  else sender = rawSender.trim();

  let scheduledAtUs: number | null = null;
  const rawScheduled = fields.scheduled_at;
  if (!isBlank(rawScheduled)) {
    const parsed = typeof rawScheduled === 'string' ? usFromYmdHis(rawScheduled.trim()) : null;
    if (parsed === null) errors.add('scheduled_at', ruleText.dateFormat('scheduled_at', 'Y-m-d H:i:s'));
    else if (parsed >= SCHEDULED_BEFORE_US)
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
    let ok = false;
    if (typeof rawCallback === 'string' && rawCallback.length <= CALLBACK_URL_CHARS_MAX) {
      try {
        const url = new URL(rawCallback);
        ok = url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        ok = false;
      }
    }
    if (ok) callbackUrl = rawCallback as string;
    else errors.add('callback_url', ruleText.url('callback_url'));
  }
  return { sender, scheduledAtUs, type, callbackUrl };
}
