// Trumpia's status codes as tables: what a send answer means for retrying, and what a report says of a message.
import { countParts } from '../../../domain/gsm.js';
import type { ReportStatus } from '../../../domain/status.js';

/**
 * The longest text Trumpia takes to a US or Canadian number (country_code 1): 140 bytes, one SMS
 * (trumpia.com/api/docs/rest/functions/direct-sms.php, `message`); longer is refused with MRME1054.
 */
export const TRUMPIA_US_CA_BYTES_MAX = 140;

/** A text's size as an SMS carries it: GSM 03.38 septets packed 8 to 7 bytes, or 2 bytes per UCS-2 code unit. */
export function trumpiaTextBytes(text: string): number {
  const { encoding, units } = countParts(text);
  return encoding === 'GSM-7' ? Math.ceil((units * 7) / 8) : units * 2;
}

/** Still processing: the report is asked again later (TrumpiaAPI/send-message-sample-java `ResultResolver`). */
export const TRUMPIA_IN_PROGRESS = 'MPCE4001';
/** The report endpoint does not know the request_id (yet): asked again, never taken as a verdict. */
export const TRUMPIA_UNKNOWN_REQUEST = 'MPRE2301';

/** How a send answer's `status_code` is handled: `retry` (temporary), `final` (the message is refused), `config`. */
export type TrumpiaSendVerdict = 'retry' | 'final' | 'config';

/**
 * Account-level codes of a send answer (mrkekseek/trumpia-api `TrumpiaLibrary.php`). The direct-SMS resource uses the
 * MRCE spelling of the common MPCE codes; both are listed. `config` codes refuse every message until an operator acts.
 */
export const TRUMPIA_SEND_CODES: Readonly<
  Record<string, { readonly text: string; readonly verdict: TrumpiaSendVerdict }>
> = {
  MPCE0101: { text: 'the request failed to be authenticated', verdict: 'config' },
  MRCE0101: { text: 'unauthorized access', verdict: 'config' },
  MPCE0301: { text: 'temporary fault, retry in a few moments', verdict: 'retry' },
  MRCE0301: { text: 'temporary fault, retry in a few moments', verdict: 'retry' },
  // Disabled for a while by a fault on Trumpia's side, so worth trying later.
  MPCE0302: { text: 'API calls temporarily disabled', verdict: 'retry' },
  MRCE0401: { text: 'the account may not use this API resource', verdict: 'config' },
  MPCE0801: { text: 'no proper parameter', verdict: 'final' },
  MRCE0801: { text: 'no proper parameter', verdict: 'final' },
  MPCE3101: { text: 'the account is past due', verdict: 'config' },
  MRCE3101: { text: 'the account is past due', verdict: 'config' },
  MPCE3102: { text: 'the trial period has expired', verdict: 'config' },
  MRCE3102: { text: 'the account is suspended', verdict: 'config' },
  MRCE3103: { text: 'the trial period has expired', verdict: 'config' },
  MPCE3201: { text: 'not enough domestic text credits', verdict: 'config' },
  MRCE3201: { text: 'not enough domestic text credits', verdict: 'config' },
  MPCE3202: { text: 'not enough international text credits', verdict: 'config' },
  MRCE3202: { text: 'not enough international text credits', verdict: 'config' },
  MPCE3203: { text: 'credit error', verdict: 'config' },
  MRCE3203: { text: 'credit error', verdict: 'config' },
  MPCE4002: { text: 'unexpected error, contact Trumpia support', verdict: 'final' },
};

/**
 * Message-level codes (MRME, "Direct SMS"): a send answer or a report refusing this message for what it is. Every one
 * is `rejected`: the number, the text or the sender is refused, and sending it again would be refused again.
 */
export const TRUMPIA_MESSAGE_CODES: Readonly<Record<string, string>> = {
  MRME0551: 'the mobile number is blocked',
  MRME0651: 'the message content is caught by the spam filter',
  MRME0652: 'the organization name is caught by the spam filter',
  MRME1051: 'the mobile number must be 10 digits with country_code 1, 1-20 otherwise',
  MRME1052: 'only numerical values are valid',
  MRME1053: 'the mobile number may not start with 0 (or 1 with country_code 1)',
  MRME1054: 'the message is too long',
  MRME1055: 'the message is too long',
  MRME1056: 'only numerical values are valid',
  MRME1251: 'the message includes characters that are not allowed',
  MRME2001: 'the mobile number is incorrectly formatted',
  MRME2151: 'no message was given',
  MRME2152: 'the mobile number is empty',
  MRME2251: 'invalid country code',
  MRME2551: 'the sender must be a US or CA number',
  MRME2552: 'the sender is invalid for this account',
  MRME3051: 'the request failed due to inadequate conditions',
};

export type TrumpiaReportOutcome =
  /** Not final yet: ask again later. */
  | { readonly pending: string }
  | { readonly status: ReportStatus; readonly error: string | null }
  /** An answer about the account, not the message (authentication, a temporary fault): the poll failed. */
  | { readonly trouble: string };

/**
 * What a report answer says of a message (trumpia.com/api/docs/rest/functions/report.php). `{"status":"sent"}` is
 * Trumpia's last word: the message went to the carrier. Trumpia reports no handset-level receipt over this API, so
 * "sent" is the closest it comes to delivered, and is taken as `delivered`. A blocked number is `rejected`; any other
 * `failed` is `undelivered`.
 */
export function trumpiaReportOutcome(body: unknown): TrumpiaReportOutcome {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { trouble: 'report is not an object' };
  const report = body as Record<string, unknown>;
  const code = typeof report.status_code === 'string' ? report.status_code : null;
  if (code === TRUMPIA_IN_PROGRESS) return { pending: 'in progress' };
  if (code === TRUMPIA_UNKNOWN_REQUEST) return { pending: 'request_id not known to the report yet' };
  if (report.status === 'sent') return { status: 'delivered', error: null };
  if (code !== null && code in TRUMPIA_MESSAGE_CODES) {
    return { status: 'rejected', error: `trumpia: ${code} ${TRUMPIA_MESSAGE_CODES[code]}` };
  }
  if (report.status === 'failed') {
    const blocked = trumpiaBlockedRefusal(report);
    if (blocked !== null) return { status: 'rejected', error: blocked };
    return { status: 'undelivered', error: `trumpia: failed${code ? ` (${code})` : ''}` };
  }
  if (code !== null && code in TRUMPIA_SEND_CODES) {
    return { trouble: `trumpia: ${code} ${TRUMPIA_SEND_CODES[code]?.text}` };
  }
  return { trouble: `trumpia: unreadable report ${JSON.stringify(report).slice(0, 200)}` };
}

/**
 * The refusal of a blocked mobile, `{"status":"failed","blocked_mobile":{"number":…}}`, in a send answer or a report
 * (functions/report.php; sample-java `ResultResolver`): it carries no request_id, so Trumpia holds nothing to report
 * on, and the message is refused for good. Null for any other body.
 */
export function trumpiaBlockedRefusal(body: Readonly<Record<string, unknown>>): string | null {
  if (body.status !== 'failed' || body.blocked_mobile === undefined || body.blocked_mobile === null) return null;
  const number = (body.blocked_mobile as { number?: unknown }).number;
  return `trumpia: failed, blocked mobile ${String(number ?? '')}`.trim();
}
