// Messente's delivery-report webhook, pure: the HMAC signature of the raw body checked, the body read into our reports.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryReport } from '../../provider.js';
import { messenteResultOf } from './status.js';

/** The header Messente signs DLR requests with (messente.com/documentation/api-setup/security). */
export const MESSENTE_SIGNATURE_HEADER = 'x-messente-signature';

const SHA256_BYTES = 32;
const HEX_RE = /^[0-9a-f]{64}$/i;
const BASE64_RE = /^[A-Za-z0-9+/]{43}=?$/;

/** HMAC-SHA256 of the raw body keyed with the API password, as hex (what the simulator sends). */
export function messenteSignature(rawBody: Uint8Array | string, password: string): string {
  return createHmac('sha256', password).update(rawBody).digest('hex');
}

/**
 * Reads a signature header's digest. Messente documents HMAC_SHA256 of the body but not the digest's notation
 * (UNCONFIRMED), so both usual ones are accepted: 64 hex digits, or base64 (with or without its padding).
 */
function digestOf(header: string): Buffer | null {
  const text = header.trim();
  if (HEX_RE.test(text)) return Buffer.from(text, 'hex');
  if (BASE64_RE.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    return bytes.length === SHA256_BYTES ? bytes : null;
  }
  return null;
}

/** Whether `header` is the body's signature under `password`, compared in constant time. */
export function verifyMessenteSignature(rawBody: Uint8Array, header: string | undefined, password: string): boolean {
  if (header === undefined) return false;
  const given = digestOf(header);
  if (given === null) return false;
  const expected = createHmac('sha256', password).update(rawBody).digest();
  return timingSafeEqual(given, expected);
}

export type MessenteWebhookRefusal =
  /** No signature header at all. */
  | 'unsigned'
  /** A signature that is not the body's under the configured password. */
  | 'bad-signature'
  /** Signed, but not a delivery report we can read. */
  | 'malformed';

export type MessenteWebhookResult =
  | {
      readonly ok: true;
      /** Empty for a report about another channel or without a status yet. */
      readonly reports: readonly DeliveryReport[];
      /** Why nothing was taken from a genuine request, for the log. */
      readonly skipped?: string;
    }
  | { readonly ok: false; readonly refusal: MessenteWebhookRefusal; readonly detail: string };

function headerText(value: string | readonly string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/**
 * Checks and reads one DLR request: Messente POSTs one JSON object per status change of one message. The signature is
 * checked before the body is parsed, so nothing unsigned is ever read.
 */
export function readMessenteWebhook(
  rawBody: Uint8Array,
  signatureHeader: string | readonly string[] | undefined,
  password: string,
): MessenteWebhookResult {
  const signature = headerText(signatureHeader);
  if (signature === undefined || signature.trim() === '') {
    return { ok: false, refusal: 'unsigned', detail: `no ${MESSENTE_SIGNATURE_HEADER} header` };
  }
  if (!verifyMessenteSignature(rawBody, signature, password)) {
    return { ok: false, refusal: 'bad-signature', detail: 'the signature does not match the body' };
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(rawBody).toString('utf8'));
  } catch {
    return { ok: false, refusal: 'malformed', detail: 'the body is not JSON' };
  }
  const result = messenteResultOf(body);
  if ('malformed' in result) return { ok: false, refusal: 'malformed', detail: result.malformed };
  if ('skipped' in result) return { ok: true, reports: [], skipped: result.skipped };
  return { ok: true, reports: [result.report] };
}
