// The dashboard API client: JSON over fetch, the CSRF header on every non-GET request, typed errors.
import {
  ACCOUNT_SUSPENDED_REASON,
  describeText,
  type ServerTextCode,
  type TextCode,
  type TextParams,
} from '../../src/domain/texts.js';
import { CSRF_HEADER, DASHBOARD_API, type ErrorBody, type Me } from '../../src/http/dashboard/contract.js';
import { countryNameIn, isoOfEnglishName } from './country-names.js';
import { i18n } from './i18n.js';

export type FieldErrors = Readonly<Record<string, readonly string[]>>;

/** A text of the server's catalogue (domain/texts.ts) in the dashboard's language. */
export function serverText(code: ServerTextCode, params: TextParams = {}): string {
  return i18n.t(`server.${code}`, params);
}

/** The server's words in the dashboard's language when their code is known here, else the words as the server sent them. */
function say(words: string, described: TextCode | null | undefined): string {
  if (!described || !i18n.exists(`server.${described.code}`)) return words;
  const { problem, status, country, ...params } = described.params ?? {};
  // A text within the text (why a sender name or a CSV line is refused) is said in the language too, and a status by
  // its name there.
  const statusKey = `status.${String(status).toLowerCase()}`;
  return serverText(described.code, {
    ...params,
    ...(problem !== undefined && { problem: typeof problem === 'string' ? sayServerWords(problem) : problem }),
    ...(status !== undefined && { status: i18n.exists(statusKey) ? i18n.t(statusKey) : status }),
    // A country the server names in English, in the language when Intl knows its English name.
    ...(country !== undefined && {
      country: typeof country === 'string' ? countryNameIn(i18n.language, isoOfEnglishName(country), country) : country,
    }),
  });
}

/** Words of the server's catalogue made here (as a form reads an amount the server's way), in the dashboard's language. */
export function sayServerWords(words: string): string {
  return say(words, describeText(words));
}

/** Each field's errors in the dashboard's language, by the codes the server sent beside them. */
function sayErrors(errors: FieldErrors, codes: ErrorBody['codes']): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([field, texts]) => [field, texts.map((text, i) => say(text, codes?.[field]?.[i]))]),
  );
}

/** A non-2xx answer: its status, the server's message and, for 422, the errors per field. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldErrors = {},
    /** The server's `reason`, e.g. `account_suspended`. */
    readonly reason: string | null = null,
    /** The code of the server's message in its catalogue of texts, e.g. `csrfMismatch`. */
    readonly code: ServerTextCode | null = null,
  ) {
    super(message);
  }
}

/** Refused because the account is suspended: trying again cannot help, reinstatement can. */
export function isSuspension(error: unknown): boolean {
  return error instanceof ApiError && error.reason === ACCOUNT_SUSPENDED_REASON;
}

let csrfToken: string | null = null;
let unauthenticatedHandler: (() => void) | null = null;
let suspendedHandler: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on a 401 from any request but the sign-in itself: the session has ended. */
export function onUnauthenticated(handler: (() => void) | null): void {
  unauthenticatedHandler = handler;
}

/** Called when a request is refused because the account is suspended (since the session was read, maybe). */
export function onSuspended(handler: (() => void) | null): void {
  suspendedHandler = handler;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** A body sent as is, with this content type, instead of JSON. */
  readonly raw?: { readonly body: string; readonly contentType: string };
  /** Do not report a 401 to the session handler (the caller handles it). */
  readonly quiet401?: boolean;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** `/app/api` + path + the query's set values. */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return `${DASHBOARD_API}${path}${search ? `?${search}` : ''}`;
}

async function send(method: string, url: string, body: unknown, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: string | undefined;
  if (options.raw) {
    headers['Content-Type'] = options.raw.contentType;
    payload = options.raw.body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  return fetch(url, {
    method,
    headers,
    body: payload,
    credentials: 'same-origin',
    // Stated here as well as by the page's policy: under "no-referrer" a POST carries `Origin: null`, which the server's
    // origin check refuses.
    referrerPolicy: 'same-origin',
    ...(options.signal && { signal: options.signal }),
  });
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's page, an empty body): the status text says enough.
  }
  const message =
    typeof body.message === 'string' && body.message
      ? say(body.message, body.code ? { code: body.code, params: body.params ?? {} } : null)
      : i18n.t('errors.serverAnswered', {
          status: `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
        });
  return new ApiError(
    response.status,
    message,
    sayErrors(body.errors ?? {}, body.codes),
    typeof body.reason === 'string' ? body.reason : null,
    body.code ?? null,
  );
}

/** Fetches a fresh CSRF token (after the server refused ours, e.g. after a sign-in in another tab). */
async function refreshCsrf(): Promise<boolean> {
  const response = await fetch(apiUrl('/me'), { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) return false;
  const me = (await response.json()) as Me;
  csrfToken = me.csrfToken;
  return true;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const url = path.startsWith(DASHBOARD_API) ? path : apiUrl(path);
  let response: Response;
  try {
    response = await send(method, url, body, options);
    if (response.status === 403 && method !== 'GET') {
      const error = await errorFrom(response.clone());
      if (error.code === 'csrfMismatch' && (await refreshCsrf())) response = await send(method, url, body, options);
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, i18n.t('errors.unreachable'));
  }
  if (response.status === 401 && !options.quiet401) unauthenticatedHandler?.();
  if (!response.ok) {
    const error = await errorFrom(response);
    if (isSuspension(error)) suspendedHandler?.();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await response.text()) as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, options?: RequestOptions) =>
    request<T>('GET', apiUrl(path, query), undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body ?? {}, options),
  put: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  del: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
};

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** A message fit for an error banner, whatever was thrown. */
export function errorText(error: unknown): string {
  if (isSuspension(error)) return serverText('unavailableWhileSuspended');
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return i18n.t('errors.somethingWrong');
}
