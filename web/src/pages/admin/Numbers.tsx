// Operator: the numbers accounts receive on (as `smsgic numbers`): the list, by account; assign one; unassign one.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperatorNumberView } from '../../../../src/http/dashboard/contract.js';
import { api } from '../../api.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { Icon } from '../../components/icons.js';
import { useToast } from '../../components/toast.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  PageHeader,
  TextField,
} from '../../components/ui.js';
import { date } from '../../format.js';
import { useDebounced, useResource, useSubmit, useTitle } from '../../hooks.js';

const FIELDS = ['number', 'keyword', 'account_id'] as const;
type Form = Record<(typeof FIELDS)[number], string>;
const EMPTY: Form = { number: '', keyword: '', account_id: '' };

const named = (n: OperatorNumberView) => (n.keyword === null ? n.number : `${n.number} ${n.keyword}`);

function AssignForm({ onAssigned }: { readonly onAssigned: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [form, setForm] = useState<Form>(EMPTY);
  const save = useSubmit(async () => {
    const assigned = await api.post<OperatorNumberView>('/admin/numbers', {
      number: form.number.trim(),
      account_id: form.account_id.trim(),
      ...(form.keyword.trim() && { keyword: form.keyword.trim() }),
    });
    toast(t('opsNumbers.assigned', { number: named(assigned), name: assigned.account_name }));
    setForm(EMPTY);
    onAssigned();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  const input = (name: keyof Form, label: string, hint?: string) => (
    <TextField
      label={label}
      name={name}
      hint={hint}
      value={form[name]}
      onChange={(event) => setForm({ ...form, [name]: event.target.value })}
      errors={fieldErrors(save.error, name)}
    />
  );
  return (
    <Card title={t('opsNumbers.assignTitle')}>
      <form onSubmit={submit} noValidate>
        <div className="form-grid">
          {input('number', t('opsNumbers.number'), t('opsNumbers.numberHint'))}
          {input('keyword', t('opsNumbers.keyword'), t('opsNumbers.keywordHint'))}
          {input('account_id', t('opsNumbers.accountId'))}
        </div>
        <ErrorBanner error={formLevelError(save.error, FIELDS)} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.busy}>
            <Icon name="plus" size={16} />
            <span>{save.busy ? t('opsNumbers.assigning') : t('opsNumbers.assign')}</span>
          </button>
        </div>
      </form>
    </Card>
  );
}

export function AdminNumbersPage() {
  const { t } = useTranslation();
  useTitle(t('opsNumbers.title'));
  const toast = useToast();
  const [account, setAccount] = useState('');
  const filter = useDebounced(account.trim(), 300);
  const list = useResource<{ data: OperatorNumberView[] }>('/admin/numbers', { account_id: filter || undefined });
  const [removing, setRemoving] = useState<OperatorNumberView | null>(null);
  const numbers = list.data?.data ?? [];
  return (
    <>
      <PageHeader title={t('opsNumbers.title')} description={t('opsNumbers.description')} />
      <AssignForm onAssigned={() => list.reload()} />
      <Card title={t('opsNumbers.tableTitle')}>
        <search className="filters">
          <TextField
            label={t('opsNumbers.filterAccount')}
            name="filter_account_id"
            hint={t('opsNumbers.filterHint')}
            value={account}
            onChange={(event) => setAccount(event.target.value)}
            errors={fieldErrors(list.error, 'account_id')}
          />
        </search>
        <ErrorBanner error={formLevelError(list.error, ['account_id'])} onRetry={() => list.reload()} />
        {list.loading && !list.data ? (
          <Loading label={t('opsNumbers.loading')} />
        ) : numbers.length === 0 ? (
          <EmptyState title={t('opsNumbers.none')} />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t('opsNumbers.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('opsNumbers.colNumber')}</th>
                  <th scope="col">{t('opsNumbers.colKeyword')}</th>
                  <th scope="col">{t('opsNumbers.colAccount')}</th>
                  <th scope="col">{t('opsNumbers.colSince')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('opsNumbers.colActions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {numbers.map((n) => (
                  <tr key={n.id} data-number={named(n)}>
                    <th scope="row" className="nowrap">
                      {n.number}
                    </th>
                    <td>{n.keyword ?? <span className="muted">{t('opsNumbers.wholeNumber')}</span>}</td>
                    <td>
                      {n.account_name}
                      <span className="muted small"> #{n.account_id}</span>
                    </td>
                    <td className="nowrap">{date(n.created_at)}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className="btn btn-small btn-danger-outline"
                        aria-label={t('opsNumbers.unassignNamed', { number: named(n) })}
                        onClick={() => setRemoving(n)}
                      >
                        {t('opsNumbers.unassign')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <ConfirmDialog
        open={removing !== null}
        title={t('opsNumbers.unassignTitle', { number: removing ? named(removing) : '' })}
        confirmLabel={t('opsNumbers.unassignConfirm')}
        danger
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await api.post('/admin/numbers/unassign', {
            number: removing.number,
            ...(removing.keyword !== null && { keyword: removing.keyword }),
          });
          toast(t('opsNumbers.unassigned', { number: named(removing) }));
          list.reload();
        }}
      >
        <p>{t('opsNumbers.unassignText', { name: removing?.account_name ?? '' })}</p>
      </ConfirmDialog>
    </>
  );
}
