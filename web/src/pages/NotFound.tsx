// Not found: inside the signed-in frame for an unknown page or a record this account cannot see.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useTitle } from '../hooks.js';

export function NotFoundContent({ title, children }: { readonly title: string; readonly children?: ReactNode }) {
  useTitle(title);
  return (
    <section className="not-found" aria-labelledby="not-found-title">
      <p className="not-found-code" aria-hidden="true">
        404
      </p>
      <h1 id="not-found-title">{title}</h1>
      <p className="muted">{children ?? 'The page you asked for does not exist or has moved.'}</p>
      <Link to="/" className="btn btn-primary not-found-action">
        Go to the overview
      </Link>
    </section>
  );
}

export function NotFoundPage() {
  return <NotFoundContent title="Page not found" />;
}
