// The signed-in user and account (GET /app/api/me), shared by every page; a 401 anywhere ends it.
import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { Me } from '../../src/http/dashboard/contract.js';
import { ApiError, api, errorText, onSuspended, onUnauthenticated, setCsrfToken } from './api.js';

interface Session {
  /** undefined while the first GET /me is under way, null when signed out. */
  readonly me: Me | null | undefined;
  readonly signedIn: (me: Me) => void;
  readonly signedOut: () => void;
  /** Reads /me again (the balance after a sending, the account after a change). */
  readonly refresh: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);

  const signedIn = useCallback((next: Me) => {
    setCsrfToken(next.csrfToken);
    setMe(next);
  }, []);
  const signedOut = useCallback(() => {
    setCsrfToken(null);
    setMe(null);
  }, []);
  const refresh = useCallback(async () => {
    try {
      signedIn(await api.get<Me>('/me', {}, { quiet401: true }));
      setLoadError(null);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) signedOut();
      else setLoadError(errorText(error));
    }
  }, [signedIn, signedOut]);

  useEffect(() => {
    onUnauthenticated(signedOut);
    // A suspension since the session was read: read it again, so the layout says so (GET /me is still served).
    onSuspended(() => void refresh());
    void refresh();
    return () => {
      onUnauthenticated(null);
      onSuspended(null);
    };
  }, [refresh, signedOut]);

  const value = useMemo(() => ({ me, signedIn, signedOut, refresh }), [me, signedIn, signedOut, refresh]);
  if (me === undefined && loadError) {
    return (
      <main className="auth-page">
        <div className="auth-card" role="alert">
          <h1>The dashboard is unavailable</h1>
          <p>{loadError}</p>
          <button type="button" className="btn btn-primary" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user; only for pages under the signed-in layout. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}

/**
 * Reads /me again (the balance in the header) whenever `state` changes after its first value: a page that follows
 * sendings passes what of them moves money (status, cost, refunds), so a refund shows without navigating.
 */
export function useBalanceFollows(state: string | null): void {
  const { refresh } = useSession();
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (state === null) return;
    if (seen.current !== null && seen.current !== state) void refresh();
    seen.current = state;
  }, [state, refresh]);
}
