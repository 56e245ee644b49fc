// Reads the fields of a new sending beyond message and recipients: sender, scheduled_at, type, callback_url.
import { ruleText, TEXTS, type ValidationErrors } from '../domain/texts.js';
import type { SendingType } from '../store/sendings.js';

export const SENDING_TYPES: readonly SendingType[] = ['default', 'infobip', 'twilio', 'messente', 'trumpia'];

export interface SendingOptions {
  readonly sender: string | null;
  /** Epoch milliseconds; null means now. */
  readonly scheduledAtMs: number | null;
  readonly type: SendingType;
  readonly callbackUrl: string | null;
}

const YMD_HIS_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const CALLBACK_URL_CHARS_MAX = 2048;

/** `Y-m-d H:i:s` read as UTC; null when it is not that format or not a real time (2023-02-30). */
export function parseYmdHisUtc(text: string): number | null {
  const m = YMD_HIS_RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ') === text ? ms : null;
}

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

  let scheduledAtMs: number | null = null;
  const rawScheduled = fields.scheduled_at;
  if (!isBlank(rawScheduled)) {
    const parsed = typeof rawScheduled === 'string' ? parseYmdHisUtc(rawScheduled.trim()) : null;
    if (parsed === null) errors.add('scheduled_at', ruleText.dateFormat('scheduled_at', 'Y-m-d H:i:s'));
    else scheduledAtMs = parsed;
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
  return { sender, scheduledAtMs, type, callbackUrl };
}
