// Customer callbacks (status changes, and received messages for the inbound_url): the signed JSON body, one POST with a timeout, and when to try again; never to an address
// inside the platform's own network (loopback, private, link-local…) unless allowed.
import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { countParts } from '../domain/gsm.js';
import { callbackUrlProblem, isInternalAddress } from '../domain/ip-address.js';
import { isoFromUs, US_PER_MS } from '../domain/time.js';
import type { CallbackDelivery, CallbackResult } from '../store/callbacks.js';

export const SIGNATURE_HEADER = 'X-Smsgic-Signature';
/**
 * Sent only during a rotation's grace period: the signature under the new secret, while SIGNATURE_HEADER keeps the
 * previous secret's, so that a receiver still holding the old secret and reading SIGNATURE_HEADER alone sees no change.
 */
export const NEW_SIGNATURE_HEADER = 'X-Smsgic-Signature-New';
/** The outbox row's id: the same for every attempt of one callback, so a receiver can drop repeats. */
export const DELIVERY_HEADER = 'X-Smsgic-Delivery';

export interface CallbackPolicy {
  readonly attemptsMax: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly timeoutMs: number;
  /** Lets callbacks reach private, loopback and link-local addresses (local development, tests). */
  readonly allowPrivate?: boolean;
}

export type Fetch = typeof fetch;

/** The error of a callback refused because its host is (or resolves to) an internal address; never retried. */
export class CallbackAddressRefused extends Error {
  readonly code = 'ERR_CALLBACK_ADDRESS_REFUSED';
  constructor(host: string, address?: string) {
    super(
      address === undefined
        ? `callback host ${host} is an internal address`
        : `callback host ${host} resolves to the internal address ${address}`,
    );
    this.name = 'CallbackAddressRefused';
  }
}

/**
 * dns.lookup that fails when any address of the name is internal. The connection is opened to the very addresses
 * checked here, so a name that answers a public address to a first lookup and an internal one to a second (DNS
 * rebinding) cannot slip through.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
    if (error) {
      (callback as (e: NodeJS.ErrnoException) => void)(error);
      return;
    }
    const internal = addresses.find((a) => isInternalAddress(a.address));
    const first = addresses[0];
    if (internal || !first) {
      (callback as (e: Error) => void)(new CallbackAddressRefused(hostname, internal?.address ?? 'none'));
      return;
    }
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    } else {
      callback(null, first.address, first.family);
    }
  });
};

/**
 * Kept-alive connections of each policy apart: a connection opened where internal addresses were allowed is never
 * lent to a request where they are not (an agent pools by host and port, not by lookup).
 */
const KEEP_ALIVE = { keepAlive: true, timeout: 5_000 };
const AGENTS = {
  checked: { http: new http.Agent(KEEP_ALIVE), https: new https.Agent(KEEP_ALIVE) },
  unchecked: { http: new http.Agent(KEEP_ALIVE), https: new https.Agent(KEEP_ALIVE) },
};

/**
 * The transport of callbacks: a fetch-shaped POST over node:http(s) whose connections go only to addresses that were
 * checked (see publicOnlyLookup) unless `allowPrivate`. The answer's body is discarded; only the status is kept.
 */
export function callbackFetch(allowPrivate: boolean): Fetch {
  const agents = allowPrivate ? AGENTS.unchecked : AGENTS.checked;
  const post = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (!allowPrivate && isInternalAddress(url.hostname)) {
        reject(new CallbackAddressRefused(url.hostname));
        return;
      }
      const secure = url.protocol === 'https:';
      const request = (secure ? https : http).request(
        url,
        {
          agent: secure ? agents.https : agents.http,
          method: init?.method ?? 'GET',
          headers: init?.headers as http.OutgoingHttpHeaders,
          ...(init?.signal && { signal: init.signal }),
          ...(!allowPrivate && { lookup: publicOnlyLookup }),
        },
        (response) => {
          response.resume();
          resolve(new Response(null, { status: response.statusCode ?? 599 }));
        },
      );
      request.on('error', reject);
      request.end(typeof init?.body === 'string' ? init.body : undefined);
    });
  return post as Fetch;
}

/**
 * The body a customer receives: fields named like the API's, times as ISO-8601 UTC with microseconds. A received
 * message: its id (as GET /inbound lists it), who sent it, the number it came to, its text and parts, and what it did
 * to the opt-out list (`opt_out` for STOP, `opt_in` for START, `help`; null: nothing).
 */
export function callbackBody(delivery: CallbackDelivery): string {
  if (delivery.kind === 'inbound') {
    return JSON.stringify({
      id: delivery.inboundId,
      from: delivery.from,
      to: delivery.to,
      text: delivery.text,
      received_at: isoFromUs(delivery.receivedAtUs),
      parts: countParts(delivery.text).parts,
      keyword_effect: delivery.keywordEffect,
    });
  }
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

/**
 * The signature headers of one callback. Without a grace period: SIGNATURE_HEADER under the account's secret, alone,
 * as it always was. During one: SIGNATURE_HEADER under the previous secret and NEW_SIGNATURE_HEADER under the current.
 */
export function signatureHeaders(
  body: string,
  delivery: Pick<CallbackDelivery, 'secret' | 'previousSecret'>,
): Record<string, string> {
  if (delivery.previousSecret === null) return { [SIGNATURE_HEADER]: callbackSignature(body, delivery.secret) };
  return {
    [SIGNATURE_HEADER]: callbackSignature(body, delivery.previousSecret),
    [NEW_SIGNATURE_HEADER]: callbackSignature(body, delivery.secret),
  };
}

function refusedAddress(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof CallbackAddressRefused) return true;
  }
  return false;
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
  if (callbackUrlProblem(delivery.url, policy.allowPrivate === true) !== null) {
    // Refused outright (a row stored before this check, or by another path): trying again cannot help.
    return {
      id: delivery.id,
      delivered: false,
      error: `refused: ${delivery.url} is not a public http(s) URL`,
      retryAtUs: null,
    };
  }
  try {
    const response = await fetchImpl(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signatureHeaders(body, delivery),
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
    if (refusedAddress(caught)) return { id: delivery.id, delivered: false, error, retryAtUs: null };
  }
  if (delivery.attempt >= policy.attemptsMax) return { id: delivery.id, delivered: false, error, retryAtUs: null };
  const delayMs = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.min(delivery.attempt - 1, 30));
  return { id: delivery.id, delivered: false, error, retryAtUs: nowUs() + Math.round(delayMs * US_PER_MS) };
}
