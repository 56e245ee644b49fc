// Operator: every account, searchable; open one, credit one, change its tax rate, suspend or reinstate one.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseMoneyInput } from '../../../../src/domain/money-input.js';
import type { AdminAccountView, Page } from '../../../../src/http/dashboard/contract.js';
import { ApiError, api } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/dialog.js';
import { Icon } from '../../components/icons.js';
import { type Column, PagedTable } from '../../components/PagedTable.js';
import { useToast } from '../../components/toast.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  PageHeader,
  StatusBadge,
  TextField,
} from '../../components/ui.js';
import { count, date, money } from '../../format.js';
import { useDebounced, useResource, useSubmit, useTitle } from '../../hooks.js';
import { useMe, useSession } from '../../session.js';
import { NewAccountDialog, TaxRateDialog } from './AccountDialogs.js';
import { InviteDialog } from './InviteDialog.js';

const PER_PAGE = 25;
const COLUMNS: readonly Column[] = [
  { label: 'Account' },
  { label: 'Email' },
  { label: 'Balance', num: true },
  { label: 'Tax', num: true },
  { label: 'Sendings', num: true },
  { label: 'Created' },
  { label: 'Status' },
  { label: 'Actions', hidden: true },
];

function CreditDialog({
  account,
  onClose,
  onCredited,
}: {
  readonly account: AdminAccountView | null;
  readonly onClose: () => void;
  readonly onCredited: (account: AdminAccountView) => void;
}) {
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const close = () => {
    setAmount('');
    setNote('');
    setError(null);
    onClose();
  };
  const { busy, error, setError, run } = useSubmit(async (target: AdminAccountView) => {
    const updated = await api.post<AdminAccountView>(`/admin/accounts/${target.id}/credit`, {
      amount: amount.trim(),
      ...(note.trim() && { note: note.trim() }),
    });
    onCredited(updated);
    close();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Read here as the server reads it, so a mistyped amount is explained at once, without a request.
    const parsed = parseMoneyInput(amount);
    if (!parsed.ok) setError(new ApiError(422, parsed.message, { amount: [parsed.message] }));
    else if (account) void run(account);
  };
  return (
    <Dialog open={account !== null} title={`Credit ${account?.name ?? ''}`} onClose={close}>
      {account && (
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted">
            Current balance: <strong>{money(account.balance, account.sign)}</strong> ({account.currency}). A negative
            amount debits the account, never below zero.
          </p>
          <ErrorBanner error={formLevelError(error, ['amount', 'note'])} />
          <TextField
            label={`Amount (${account.currency})`}
            name="amount"
            inputMode="decimal"
            placeholder="100,00"
            hint="A decimal comma or point: 12,50 or 12.50."
            autoFocus
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            errors={fieldErrors(error, 'amount')}
          />
          <TextField
            label="Note"
            name="note"
            placeholder="e.g. Invoice 2026-114 paid"
            hint="Shown to the customer in their transactions."
            value={note}
            onChange={(event) => setNote(event.target.value)}
            errors={fieldErrors(error, 'note')}
          />
          <div className="dialog-footer dialog-footer-inline">
            <button type="button" className="btn" onClick={close} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Crediting…' : 'Credit account'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** Invites the owner or a colleague: customer accounts only (operators are added with `smsgic admin create`). */
function InviteButton({
  account,
  onInvite,
}: {
  readonly account: AdminAccountView;
  readonly onInvite: (account: AdminAccountView) => void;
}) {
  const me = useMe();
  const { t } = useTranslation();
  if (account.id === me.account.id) return null;
  return (
    <button
      type="button"
      className="btn btn-small btn-link"
      aria-label={t('invite.buttonLabel', { name: account.name })}
      onClick={() => onInvite(account)}
    >
      {t('invite.button')}
    </button>
  );
}

export function AdminAccountsPage() {
  useTitle('Accounts');
  const me = useMe();
  const { refresh } = useSession();
  const toast = useToast();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const debounced = useDebounced(search.trim(), 300);
  const accounts = useResource<Page<AdminAccountView>>('/admin/accounts', {
    search: debounced,
    page,
    per_page: PER_PAGE,
  });
  const [crediting, setCrediting] = useState<AdminAccountView | null>(null);
  const [suspending, setSuspending] = useState<AdminAccountView | null>(null);
  const [creating, setCreating] = useState(false);
  const [taxing, setTaxing] = useState<AdminAccountView | null>(null);
  const [inviting, setInviting] = useState<AdminAccountView | null>(null);

  const replace = (updated: AdminAccountView) => {
    accounts.setData((current) =>
      current
        ? { ...current, data: current.data.map((account) => (account.id === updated.id ? updated : account)) }
        : current,
    );
    if (updated.id === me.account.id) void refresh();
  };

  return (
    <>
      <PageHeader
        title="Accounts"
        description="Customer accounts of the platform: balances, credit, tax and suspension."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" size={16} />
            <span>New account</span>
          </button>
        }
      />
      <Card>
        <search className="filters" aria-label="Account search">
          <TextField
            label="Search accounts"
            type="search"
            placeholder="Name or email"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
          />
        </search>
        <PagedTable
          list={accounts}
          page={page}
          perPage={PER_PAGE}
          onPage={setPage}
          pagerLabel="Account pages"
          loadingLabel="Loading accounts…"
          empty={<EmptyState title={debounced ? 'No account matches' : 'No accounts yet'} />}
          caption="Accounts"
          columns={COLUMNS}
          row={(account) => (
            <>
              <th scope="row">
                {account.name}
                <span className="muted small"> #{account.id}</span>
              </th>
              <td className="cell-text">
                {account.email ?? <span className="muted">—</span>}{' '}
                <InviteButton account={account} onInvite={setInviting} />
              </td>
              <td className="num">
                {money(account.balance, account.sign)} <span className="muted small">{account.currency}</span>
              </td>
              <td className="num nowrap">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={`Tax rate of ${account.name}`}
                  title="Change the tax rate"
                  onClick={() => setTaxing(account)}
                >
                  {account.tax_rate}%
                </button>
              </td>
              <td className="num">{count(account.sendings)}</td>
              <td className="nowrap">{date(account.created_at)}</td>
              <td>
                <StatusBadge status={account.suspended ? 'suspended' : 'active'} />
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={`Credit ${account.name}`}
                  onClick={() => setCrediting(account)}
                >
                  Credit
                </button>
                <button
                  type="button"
                  className={`btn btn-small ${account.suspended ? '' : 'btn-danger-outline'}`}
                  aria-label={`${account.suspended ? 'Reinstate' : 'Suspend'} ${account.name}`}
                  onClick={() => setSuspending(account)}
                >
                  {account.suspended ? 'Reinstate' : 'Suspend'}
                </button>
              </td>
            </>
          )}
        />
      </Card>
      <CreditDialog
        account={crediting}
        onClose={() => setCrediting(null)}
        onCredited={(updated) => {
          replace(updated);
          toast(`${updated.name} credited: balance ${money(updated.balance, updated.sign)}.`);
        }}
      />
      <NewAccountDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(created) => {
          setSearch('');
          setPage(1);
          accounts.reload();
          toast(`${created.name} opened: account #${created.id}.`);
          // An owner's email given: the next step is the owner's invitation.
          if (created.email) setInviting(created);
        }}
      />
      <InviteDialog account={inviting} onClose={() => setInviting(null)} />
      <TaxRateDialog
        account={taxing}
        onClose={() => setTaxing(null)}
        onChanged={(updated) => {
          replace(updated);
          toast(`${updated.name}: tax rate ${updated.tax_rate}%.`);
        }}
      />
      <ConfirmDialog
        open={suspending !== null}
        title={suspending?.suspended ? `Reinstate ${suspending.name}?` : `Suspend ${suspending?.name ?? ''}?`}
        confirmLabel={suspending?.suspended ? 'Reinstate account' : 'Suspend account'}
        danger={!suspending?.suspended}
        onClose={() => setSuspending(null)}
        onConfirm={async () => {
          if (!suspending) return;
          const updated = await api.post<AdminAccountView>(`/admin/accounts/${suspending.id}/suspend`, {
            suspended: !suspending.suspended,
          });
          replace(updated);
          toast(`${updated.name} ${updated.suspended ? 'suspended' : 'reinstated'}.`);
        }}
      >
        <p>
          {suspending?.suspended
            ? 'Its users can sign in again and its API tokens work again.'
            : 'Its API tokens and dashboard sessions are refused until it is reinstated.'}
        </p>
      </ConfirmDialog>
    </>
  );
}
