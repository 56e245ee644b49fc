// One page of a paged list as a table: the list's error (with a retry), its loading and empty states, and the pager.
import type { ReactNode } from 'react';
import type { Page } from '../../../src/http/dashboard/contract.js';
import type { Resource } from '../hooks.js';
import { ErrorBanner, Loading, Pagination } from './ui.js';

export interface Column {
  readonly label: string;
  /** Holds amounts or counts: aligned right. */
  readonly num?: boolean;
  /** Named for screen readers only, e.g. a column of actions. */
  readonly hidden?: boolean;
}

export function PagedTable<T extends { readonly id: number }>({
  list,
  page,
  perPage,
  onPage,
  pagerLabel,
  loadingLabel,
  empty,
  caption,
  columns,
  compact = false,
  row,
}: {
  readonly list: Resource<Page<T>>;
  readonly page: number;
  readonly perPage: number;
  readonly onPage: (page: number) => void;
  /** The pager's accessible name, e.g. "Campaign pages". */
  readonly pagerLabel: string;
  readonly loadingLabel: string;
  /** Shown when the page has no rows (and nothing failed). */
  readonly empty: ReactNode;
  /** The table's caption, for screen readers. */
  readonly caption: string;
  readonly columns: readonly Column[];
  readonly compact?: boolean;
  /** The cells of one row (the row itself is keyed by the item's id). */
  readonly row: (item: T) => ReactNode;
}) {
  const rows = list.data?.data ?? [];
  return (
    <>
      <ErrorBanner error={list.error} onRetry={() => list.reload()} />
      {list.loading && !list.data ? (
        <Loading label={loadingLabel} />
      ) : rows.length === 0 && !list.error ? (
        empty
      ) : (
        <>
          <div className="table-wrap">
            <table className={compact ? 'table table-compact' : 'table'}>
              <caption className="visually-hidden">{caption}</caption>
              <thead>
                <tr>
                  {columns.map((column) => (
                    <th key={column.label} scope="col" className={column.num ? 'num' : undefined}>
                      {column.hidden ? <span className="visually-hidden">{column.label}</span> : column.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((item) => (
                  <tr key={item.id}>{row(item)}</tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} perPage={perPage} total={list.data?.total ?? 0} onPage={onPage} label={pagerLabel} />
        </>
      )}
    </>
  );
}
