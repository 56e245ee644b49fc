// One HTTP call to a provider: fetched under a timeout and the worker's signal, and what a failed call or an answer tells.
import type { SubmitResult } from '../../provider.js';

export type Fetch = typeof fetch;

/** Codes of errors raised before a request's first byte can have reached the service. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The string codes of an error, its `errors` (an AggregateError's) and its causes, outermost first. */
export function failureCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (Array.isArray(errors)) codes.push(...errors.flatMap(failureCodes));
    current = cause;
  }
  return codes;
}

/**
 * Whether a `fetch` failure certainly happened before the request was sent: every code it carries says no connection
 * was made. Anything else (a timeout, a reset, a cut response) may have come after the service read the request.
 */
export function failedBeforeSending(error: unknown): boolean {
  const codes = failureCodes(error);
  return codes.length > 0 && codes.every((code) => NEVER_SENT_CODES.has(code));
}

/** A failed call's message with its first code: "fetch failed (ECONNREFUSED)". */
export function failureMessage(error: unknown): string {
  const [code] = failureCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined ? `${message} (${code})` : message;
}

/** A failed call with the error's name: "TypeError: fetch failed (ECONNREFUSED)". */
export function describeFailure(error: unknown): string {
  return `${error instanceof Error ? error.name : 'Error'}: ${failureMessage(error)}`;
}

/**
 * `Retry-After` as milliseconds from `nowMs` (the adapter's clock): delta-seconds or an HTTP date; undefined when absent
 * or unreadable.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const atMs = Date.parse(text);
  return Number.isFinite(atMs) ? Math.max(0, atMs - nowMs) : undefined;
}

/** A refusal worth trying again, after the answer's `Retry-After` when it gives one. */
export function retryableFailure(error: string, headers: Headers, nowMs: number): SubmitResult {
  const afterMs = retryAfterMs(headers.get('retry-after'), nowMs);
  return { failed: true, retryable: true, error, ...(afterMs !== undefined && { retryAfterMs: afterMs }) };
}

/** JSON text as a value; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What became of one call. `answered`: the whole answer was read. `cut`: the status line came, the body did not.
 * `notSent`: no connection was made, so sending again is safe. `lost`: the request may have reached the service.
 */
export type Exchange =
  | { readonly answered: Response; readonly text: string }
  | { readonly cut: Response; readonly error: unknown }
  | { readonly notSent: unknown }
  | { readonly lost: unknown };

/**
 * Signals of calls under way. `AbortSignal.any()` holds its sources only weakly and a timeout signal's timer holds its
 * signal only weakly too, so a timeout nothing else references can be collected before it fires (nodejs/node#57736).
 */
const signalsInUse = new Set<AbortSignal>();

/** Runs `call` with a signal that aborts with `signal` or after `timeoutMs`, whichever comes first. */
export async function withTimeout<T>(
  signal: AbortSignal,
  timeoutMs: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const either = AbortSignal.any([signal, timeout]);
  signalsInUse.add(timeout).add(either);
  try {
    return await call(either);
  } finally {
    signalsInUse.delete(timeout);
    signalsInUse.delete(either);
  }
}

/** One request, given up after `timeoutMs` or when `signal` aborts, with its answer read in full. */
export function exchange(
  fetchImpl: Fetch,
  url: string | URL,
  init: Omit<RequestInit, 'signal'>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Exchange> {
  return withTimeout(signal, timeoutMs, async (either): Promise<Exchange> => {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, signal: either });
    } catch (error) {
      return failedBeforeSending(error) ? { notSent: error } : { lost: error };
    }
    try {
      return { answered: response, text: await response.text() };
    } catch (error) {
      return { cut: response, error };
    }
  });
}

/** The answer's text of a request whose failure is simply thrown (look-ups, polls): no outcome to protect there. */
export function fetchText(
  fetchImpl: Fetch,
  url: string | URL,
  init: Omit<RequestInit, 'signal'>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ readonly response: Response; readonly text: string }> {
  return withTimeout(signal, timeoutMs, async (either) => {
    const response = await fetchImpl(url, { ...init, signal: either });
    return { response, text: await response.text() };
  });
}
