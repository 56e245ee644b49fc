// Data hooks: a GET that follows its URL (stale answers dropped), a submit with its busy and error states, a debounced
// value, an interval.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, isAbort } from './api.js';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  /** True until the first answer for the current URL. */
  readonly loading: boolean;
  /** Fetches again; `quietly` keeps the current data on screen (no loading state), for polling. */
  readonly reload: (quietly?: boolean) => void;
  readonly setData: (update: (current: T | undefined) => T | undefined) => void;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** GET `path` with `query` (null path: nothing fetched). */
export function useResource<T>(path: string | null, query: Query = {}): Resource<T> {
  const key = path === null ? null : `${path}?${JSON.stringify(query)}`;
  const [state, setState] = useState<{ key: string | null; data: T | undefined; error: unknown; loading: boolean }>({
    key: null,
    data: undefined,
    error: null,
    loading: path !== null,
  });
  const [generation, setGeneration] = useState(0);
  const quietRef = useRef(false);
  const queryRef = useRef(query);
  queryRef.current = query;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for path and query; `generation` refetches.
  useEffect(() => {
    if (key === null || path === null) return;
    const controller = new AbortController();
    const quiet = quietRef.current;
    quietRef.current = false;
    setState((current) =>
      current.key === key && quiet
        ? current
        : { key, data: current.key === key ? current.data : undefined, error: null, loading: true },
    );
    api
      .get<T>(path, queryRef.current, { signal: controller.signal })
      .then((data) => setState({ key, data, error: null, loading: false }))
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        setState((current) => ({ key, data: current.key === key ? current.data : undefined, error, loading: false }));
      });
    return () => controller.abort();
  }, [key, generation]);

  const reload = useCallback((quietly = false) => {
    quietRef.current = quietly;
    setGeneration((n) => n + 1);
  }, []);
  const setData = useCallback((update: (current: T | undefined) => T | undefined) => {
    setState((current) => ({ ...current, data: update(current.data) }));
  }, []);

  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : null,
    loading: key !== null && (!current || state.loading),
    reload,
    setData,
  };
}

export interface Submit<A extends readonly unknown[]> {
  /** True while a call is under way. */
  readonly busy: boolean;
  /** The arguments of the call under way, null when none is. */
  readonly pending: A | null;
  /** What the last call failed with (see `describeError`); cleared when a call starts. */
  readonly error: unknown;
  readonly setError: (error: unknown) => void;
  /** Back to idle and no error, even with a call under way (its outcome still lands). */
  readonly reset: () => void;
  /** Runs the action: busy meanwhile, its failure kept in `error`. Never rejects. */
  readonly run: (...args: A) => Promise<void>;
}

export interface SubmitOptions<A extends readonly unknown[]> {
  /** What to keep of a failure (default: the error itself), e.g. a sentence that names what failed. */
  readonly describeError?: (error: unknown, ...args: A) => unknown;
  /** Stays busy after a success: the page moves on, and its buttons must not come back meanwhile. */
  readonly staysBusy?: boolean;
}

/** An action started by the user (a form's submit, a button): its busy state and its error, for display. */
export function useSubmit<A extends readonly unknown[]>(
  action: (...args: A) => Promise<unknown>,
  options: SubmitOptions<A> = {},
): Submit<A> {
  const [pending, setPending] = useState<A | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setPending(args);
    setError(null);
    let succeeded = false;
    try {
      await action(...args);
      succeeded = true;
    } catch (caught) {
      setError(options.describeError ? options.describeError(caught, ...args) : caught);
    } finally {
      if (!(succeeded && options.staysBusy)) setPending(null);
    }
  };
  const reset = () => {
    setPending(null);
    setError(null);
  };
  return { busy: pending !== null, pending, error, setError, reset, run };
}

export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/** Calls `callback` every `intervalMs` while `active`. */
export function useInterval(callback: () => void, intervalMs: number, active: boolean): void {
  const saved = useRef(callback);
  saved.current = callback;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => saved.current(), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
}

/** Sets the document title: "Page · SMSgic". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · SMSgic`;
  }, [title]);
}

/** Copies a text to the clipboard: `copied` says how the last copy went (null before any, or after `reset`). */
export function useCopy() {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = useCallback(async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }, []);
  const reset = useCallback(() => setCopied(null), []);
  return { copied, copy, reset };
}
