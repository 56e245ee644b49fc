// Not found: inside the signed-in frame for an unknown page or a record this account cannot see.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../hooks.js';

export function NotFoundContent({ title, children }: { readonly title: string; readonly children?: ReactNode }) {
  const { t } = useTranslation();
  useTitle(title);
  return (
    <section className="not-found" aria-labelledby="not-found-title">
      <p className="not-found-code" aria-hidden="true">
        404
      </p>
      <h1 id="not-found-title">{title}</h1>
      <p className="muted">{children ?? t('notFound.text')}</p>
      <Link to="/" className="btn btn-primary not-found-action">
        {t('notFound.toOverview')}
      </Link>
    </section>
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return <NotFoundContent title={t('notFound.title')} />;
}
