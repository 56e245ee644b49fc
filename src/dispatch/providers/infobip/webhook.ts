// Infobip delivery reports and received messages as they reach our webhook: the shared-secret check, then
// `{"results":[…]}` to our reports and to messages from handsets.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryReport, InboundText } from '../../provider.js';
import { INFOBIP_WEBHOOK_PATH, type InfobipReport, infobipReportStatus, infobipTimeUs } from './wire.js';

/**
 * Infobip documents no signature on its report requests. The notify URL we give it therefore carries a secret,
 * `?token=`, derived from the API key (HMAC-SHA256 under the key, base64url): only Infobip and we know it, nothing
 * new has to be configured, and a new API key changes it. A report without the right token is refused.
 */
const TOKEN_CONTEXT = 'smsgic infobip delivery reports v1';

export function infobipWebhookToken(apiKey: string): string {
  return createHmac('sha256', apiKey).update(TOKEN_CONTEXT, 'utf8').digest('base64url');
}

/** The notify URL Infobip is given: PUBLIC_URL + /webhooks/infobip + the token. */
export function infobipNotifyUrl(publicUrl: string, apiKey: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${INFOBIP_WEBHOOK_PATH}?token=${infobipWebhookToken(apiKey)}`;
}

/** Whether `token` (the request's query value) is the one derived from `apiKey`, compared in constant time. */
export function verifyInfobipToken(token: unknown, apiKey: string): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(infobipWebhookToken(apiKey), 'utf8');
  const given = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type InfobipWebhookOutcome =
  | {
      readonly ok: true;
      /** Final reports, in our statuses. */
      readonly reports: readonly DeliveryReport[];
      /** Reports of statuses that are not final (pending, delivered to the operator), left out. */
      readonly notFinal: number;
      /** Messages from handsets to one of the account's numbers (Infobip's inbound forwarding, MO_JSON_2). */
      readonly inbound: readonly Omit<InboundText, 'receivedAtUs'>[];
    }
  | { readonly ok: false; readonly refusal: 'signature' | 'payload'; readonly reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStatus(value: unknown): value is InfobipReport['status'] {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    (typeof value.groupId === 'number' || typeof value.groupName === 'string')
  );
}

/** What went wrong, in words: the error's name when Infobip gives one, else the status's. */
function errorText(report: InfobipReport): string {
  const { error, status } = report;
  if (error && error.id !== 0 && typeof error.name === 'string') {
    return `infobip: ${status.name}, ${error.name}${error.description ? ` (${error.description})` : ''}`;
  }
  return `infobip: ${status.name}${status.description ? ` (${status.description})` : ''}`;
}

/**
 * A received message as Infobip forwards it to the URL set on the number (infobip.com/docs/api/channels/sms/inbound-sms/
 * receive-inbound-sms-messages, format MO_JSON_2): `{"results":[{messageId, from, to, text, cleanText, keyword,
 * receivedAt, smsCount, price, callbackData}], messageCount, pendingMessageCount}`. It has text and no status. The
 * whole `text` is kept (keywords of shared codes are matched on it); the time stored is when it reached us, as for
 * every provider.
 */
function inboundItem(item: Record<string, unknown>): Omit<InboundText, 'receivedAtUs'> | null {
  const { messageId, from, to, text } = item;
  if (item.status !== undefined || typeof text !== 'string') return null;
  if (typeof messageId !== 'string' || messageId === '' || typeof from !== 'string' || typeof to !== 'string') {
    return null;
  }
  const digits = (number: string) => number.trim().replace(/^\+/, '');
  if (digits(from) === '' || digits(to) === '') return null;
  // The sender as Infobip wrote it: the inbound service reads "+", "00" and national forms, one rule for all.
  return { providerMessageId: messageId, from: from.trim(), to: digits(to), text };
}

/**
 * Reads a report body (v3 items, and v2 items alike: they share the fields read here), or a body of received
 * messages, which Infobip posts in the same `{"results":[…]}` envelope.
 */
export function parseInfobipReports(body: unknown): InfobipWebhookOutcome {
  if (!isObject(body) || !Array.isArray(body.results)) {
    return { ok: false, refusal: 'payload', reason: 'the body is not {"results":[…]}' };
  }
  const reports: DeliveryReport[] = [];
  const inbound: Omit<InboundText, 'receivedAtUs'>[] = [];
  let notFinal = 0;
  for (const [index, item] of body.results.entries()) {
    const received = isObject(item) ? inboundItem(item) : null;
    if (received !== null) {
      inbound.push(received);
      continue;
    }
    if (!isObject(item) || typeof item.messageId !== 'string' || item.messageId === '' || !isStatus(item.status)) {
      return { ok: false, refusal: 'payload', reason: `results[${index}] has no messageId or status` };
    }
    const report = item as unknown as InfobipReport;
    const status = infobipReportStatus(report.status);
    if (status === null) {
      notFinal++;
      continue;
    }
    reports.push({
      providerMessageId: report.messageId,
      status,
      error: status === 'delivered' ? null : errorText(report),
      reportedAtUs: infobipTimeUs(report.doneAt),
    });
  }
  return { ok: true, reports, notFinal, inbound };
}

/** Verifies then reads one webhook request: the token from its query string, its parsed JSON body. */
export function readInfobipWebhook(request: {
  readonly token: unknown;
  readonly body: unknown;
  readonly apiKey: string;
}): InfobipWebhookOutcome {
  if (!verifyInfobipToken(request.token, request.apiKey)) {
    return { ok: false, refusal: 'signature', reason: 'missing or wrong token' };
  }
  return parseInfobipReports(request.body);
}
