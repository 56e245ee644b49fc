// Data hooks: a GET that follows its URL (stale answers dropped), a debounced value, an interval.
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
