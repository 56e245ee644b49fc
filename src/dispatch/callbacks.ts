// Customer status callbacks: the signed JSON body, one POST with a timeout, and when to try again.
import { createHmac } from 'node:crypto';
import { isoFromUs, US_PER_MS } from '../domain/time.js';
import type { CallbackDelivery, CallbackResult } from '../store/callbacks.js';

export const SIGNATURE_HEADER = 'X-Smsgic-Signature';
/** The outbox row's id: the same for every attempt of one callback, so a receiver can drop repeats. */
export const DELIVERY_HEADER = 'X-Smsgic-Delivery';

export interface CallbackPolicy {
  readonly attemptsMax: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly timeoutMs: number;
}

export type Fetch = typeof fetch;

/** The body a customer receives: fields named like the API's, times as ISO-8601 UTC with microseconds. */
export function callbackBody(delivery: CallbackDelivery): string {
  return JSON.stringify({
    sending_id: delivery.sendingId,
    message_id: delivery.messageId,
    recipient: delivery.recipient,
    status: delivery.status,
    error: delivery.error,
    status_at: isoFromUs(delivery.eventAtUs),
    submitted_at: delivery.submittedAtUs === null ? null : isoFromUs(delivery.submittedAtUs),
    final_at: delivery.finalAtUs === null ? null : isoFromUs(delivery.finalAtUs),
  });
}

/** Hex HMAC-SHA256 of the exact body bytes under the account's webhook secret. */
export function callbackSignature(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** POSTs one callback; any 2xx is delivered, anything else (status, timeout, network) is tried again later. */
export async function postCallback(
  delivery: CallbackDelivery,
  policy: CallbackPolicy,
  nowUs: () => number,
  fetchImpl: Fetch,
): Promise<CallbackResult> {
  const body = callbackBody(delivery);
  let error: string;
  try {
    const response = await fetchImpl(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: callbackSignature(body, delivery.secret),
        [DELIVERY_HEADER]: String(delivery.id),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
    // The body is not read: drain it so the connection can be reused.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { id: delivery.id, delivered: true };
    error = `HTTP ${response.status}`;
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  if (delivery.attempt >= policy.attemptsMax) return { id: delivery.id, delivered: false, error, retryAtUs: null };
  const delayMs = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.min(delivery.attempt - 1, 30));
  return { id: delivery.id, delivered: false, error, retryAtUs: nowUs() + Math.round(delayMs * US_PER_MS) };
}
