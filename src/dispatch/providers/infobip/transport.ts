// What a failed HTTP call to Infobip tells: whether the request can have left, and when the service asked us back.

/** Codes of errors raised before a request's first byte can have reached the service. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a `fetch` failure certainly happened before the request was sent (no connection could be made). Anything
 * else (a timeout, a reset, a cut response) may have come after the service read the request.
 */
export function failedBeforeSending(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  for (const candidate of [error, cause, ...((cause as { errors?: unknown[] } | null)?.errors ?? [])]) {
    const code = codeOf(candidate);
    if (code !== undefined && NEVER_SENT_CODES.has(code)) return true;
  }
  return false;
}

/** A short description of a failed call, for errors and logs. */
export function describeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = codeOf(cause) ?? codeOf(error);
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${name}: ${message} (${code})` : `${name}: ${message}`;
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const atMs = Date.parse(text);
  return Number.isFinite(atMs) ? Math.max(0, atMs - nowMs) : undefined;
}
