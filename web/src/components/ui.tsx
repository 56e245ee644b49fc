// Building blocks shared by the pages: headers, cards, badges, banners, form fields, pagination, empty states.
import type { InputHTMLAttributes, ReactElement, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorText, isSuspension } from '../api.js';
import { count } from '../format.js';

export function PageHeader({
  title,
  description,
  actions,
}: {
  readonly title: ReactNode;
  readonly description?: ReactNode;
  readonly actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Card({
  title,
  actions,
  children,
  className,
  headingLevel = 2,
}: {
  readonly title?: ReactNode;
  readonly actions?: ReactNode;
  readonly children: ReactNode;
  readonly className?: string;
  readonly headingLevel?: 2 | 3;
}) {
  const headingId = useId();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={`card${className ? ` ${className}` : ''}`} aria-labelledby={title ? headingId : undefined}>
      {(title || actions) && (
        <div className="card-header">
          {title && (
            <Heading id={headingId} className="card-title">
              {title}
            </Heading>
          )}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'accent';

export function Badge({ tone = 'neutral', children }: { readonly tone?: Tone; readonly children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONES: Record<string, Tone> = {
  Draft: 'neutral',
  Pending: 'info',
  Processing: 'accent',
  Completed: 'success',
  Cancelled: 'neutral',
  Failed: 'danger',
  queued: 'neutral',
  submitting: 'info',
  submitted: 'info',
  delivered: 'success',
  undelivered: 'warning',
  expired: 'warning',
  rejected: 'danger',
  failed: 'danger',
  cancelled: 'neutral',
  suppressed: 'neutral',
  approved: 'success',
  pending: 'info',
  active: 'success',
  revoked: 'neutral',
  suspended: 'danger',
  credit: 'success',
  refund: 'info',
  reservation: 'warning',
  debit: 'neutral',
};

export type Translate = ReturnType<typeof useTranslation>['t'];

/** A status's name in the current language (campaign statuses are capitalised, the others lower case). */
export function statusText(t: Translate, status: string): string {
  switch (status.toLowerCase()) {
    case 'draft':
      return t('status.draft');
    case 'pending':
      return t('status.pending');
    case 'processing':
      return t('status.processing');
    case 'completed':
      return t('status.completed');
    case 'cancelled':
      return t('status.cancelled');
    case 'failed':
      return t('status.failed');
    case 'queued':
      return t('status.queued');
    case 'submitting':
      return t('status.submitting');
    case 'submitted':
      return t('status.submitted');
    case 'delivered':
      return t('status.delivered');
    case 'undelivered':
      return t('status.undelivered');
    case 'expired':
      return t('status.expired');
    case 'rejected':
      return t('status.rejected');
    case 'suppressed':
      return t('status.suppressed');
    case 'approved':
      return t('status.approved');
    case 'active':
      return t('status.active');
    case 'revoked':
      return t('status.revoked');
    case 'suspended':
      return t('status.suspended');
    case 'credit':
      return t('status.credit');
    case 'refund':
      return t('status.refund');
    case 'reservation':
      return t('status.reservation');
    case 'debit':
      return t('status.debit');
    default:
      return status.charAt(0).toUpperCase() + status.slice(1);
  }
}

export function StatusBadge({ status, label }: { readonly status: string; readonly label?: string }) {
  const { t } = useTranslation();
  const text = label ?? statusText(t, status);
  return <Badge tone={STATUS_TONES[status] ?? 'neutral'}>{text}</Badge>;
}

export function ErrorBanner({ error, onRetry }: { readonly error: unknown; readonly onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="banner banner-danger" role="alert">
      <span>{typeof error === 'string' ? error : errorText(error)}</span>
      {onRetry && !isSuspension(error) && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {t('ui.tryAgain')}
        </button>
      )}
    </div>
  );
}

export function Banner({ tone = 'info', children }: { readonly tone?: Tone; readonly children: ReactNode }) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Loading({ label }: { readonly label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('ui.loading')}</span>
    </div>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  readonly title: string;
  readonly children?: ReactNode;
  readonly action?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <svg viewBox="0 0 48 48" width="40" height="40" aria-hidden="true" focusable="false">
        <rect x="6" y="10" width="36" height="26" rx="6" fill="currentColor" opacity="0.12" />
        <path d="M14 20h20M14 27h12" stroke="currentColor" strokeWidth="3" strokeLinecap="round" opacity="0.45" />
      </svg>
      <p className="empty-title">{title}</p>
      {children && <p className="empty-text">{children}</p>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

/** Errors of one field, from a 422 answer (several keys may feed one field, e.g. recipients.3). */
export function fieldErrors(error: unknown, ...keys: string[]): string[] {
  if (!(error instanceof ApiError)) return [];
  const found: string[] = [];
  for (const [key, texts] of Object.entries(error.errors)) {
    if (keys.some((wanted) => key === wanted || key.startsWith(`${wanted}.`))) found.push(...texts);
  }
  return found;
}

/** The error's message unless every one of its field errors is shown next to one of `shownKeys`. */
export function formLevelError(error: unknown, shownKeys: readonly string[]): unknown {
  if (!error) return null;
  if (!(error instanceof ApiError)) return error;
  const keys = Object.keys(error.errors);
  if (keys.length === 0) return error;
  const unshown = keys.filter((key) => !shownKeys.some((shown) => key === shown || key.startsWith(`${shown}.`)));
  if (unshown.length === 0) return null;
  return unshown.flatMap((key) => error.errors[key] ?? []).join(' ') || error.message;
}

interface FieldFrame {
  readonly label: ReactNode;
  readonly errors?: readonly string[];
  readonly hint?: ReactNode;
  readonly className?: string;
}

function useFieldIds(errors: readonly string[] | undefined, hint: ReactNode) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, errors?.length ? errorId : null].filter(Boolean).join(' ') || undefined;
  return { id, hintId, errorId, describedBy, invalid: errors?.length ? true : undefined };
}

function FieldShell({
  frame,
  ids,
  control,
}: {
  readonly frame: FieldFrame;
  readonly ids: ReturnType<typeof useFieldIds>;
  readonly control: ReactElement;
}) {
  return (
    <div className={`field${frame.className ? ` ${frame.className}` : ''}${ids.invalid ? ' field-invalid' : ''}`}>
      <label htmlFor={ids.id}>{frame.label}</label>
      {control}
      {frame.hint && (
        <p className="field-hint" id={ids.hintId}>
          {frame.hint}
        </p>
      )}
      {frame.errors && frame.errors.length > 0 && (
        <ul className="field-errors" id={ids.errorId}>
          {frame.errors.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TextField({
  label,
  errors,
  hint,
  className,
  ...input
}: FieldFrame & InputHTMLAttributes<HTMLInputElement>) {
  const ids = useFieldIds(errors, hint);
  return (
    <FieldShell
      frame={{ label, errors, hint, className }}
      ids={ids}
      control={
        <input id={ids.id} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} className="input" {...input} />
      }
    />
  );
}

export function TextAreaField({
  label,
  errors,
  hint,
  className,
  ...textarea
}: FieldFrame & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const ids = useFieldIds(errors, hint);
  return (
    <FieldShell
      frame={{ label, errors, hint, className }}
      ids={ids}
      control={
        <textarea
          id={ids.id}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid}
          className="input textarea"
          {...textarea}
        />
      }
    />
  );
}

export function SelectField({
  label,
  errors,
  hint,
  className,
  children,
  ...select
}: FieldFrame & SelectHTMLAttributes<HTMLSelectElement>) {
  const ids = useFieldIds(errors, hint);
  return (
    <FieldShell
      frame={{ label, errors, hint, className }}
      ids={ids}
      control={
        <select
          id={ids.id}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid}
          className="input select"
          {...select}
        >
          {children}
        </select>
      }
    />
  );
}

export function Pagination({
  page,
  perPage,
  total,
  onPage,
  label,
}: {
  readonly page: number;
  readonly perPage: number;
  readonly total: number;
  readonly onPage: (page: number) => void;
  readonly label?: string;
}) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (total === 0) return null;
  const first = (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  return (
    <nav className="pagination" aria-label={label ?? t('ui.pagination')}>
      <p className="pagination-info">
        {t('ui.range', { first: count(first), last: count(last), total: count(total) })}
      </p>
      <div className="pagination-buttons">
        <button type="button" className="btn btn-small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          {t('ui.previous')}
        </button>
        <span className="pagination-page">{t('ui.page', { page: count(page), pages: count(pages) })}</span>
        <button type="button" className="btn btn-small" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          {t('ui.next')}
        </button>
      </div>
    </nav>
  );
}

/** A definition list item whose value is named by its term, so it can be found by role "definition" and name. */
export function Stat({
  label,
  children,
  tone,
}: {
  readonly label: string;
  readonly children: ReactNode;
  readonly tone?: Tone;
}) {
  const id = useId();
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`}>
      <dt id={id}>{label}</dt>
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: a <dd> has the ARIA role "definition", which may be named. */}
      <dd aria-labelledby={id}>{children}</dd>
    </div>
  );
}
