// Operator: every account, searchable; open one, credit one, change its tax rate, suspend or reinstate one.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { parseMoneyInput } from '../../../../src/domain/money-input.js';
import type { AdminAccountView, Page } from '../../../../src/http/dashboard/contract.js';
import { ApiError, api, sayServerWords } from '../../api.js';
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
import { AccountControlsButton } from './AccountControlsDialog.js';
import { NewAccountDialog, TaxRateDialog } from './AccountDialogs.js';
import { InviteDialog } from './InviteDialog.js';

const PER_PAGE = 25;

function CreditDialog({
  account,
  onClose,
  onCredited,
}: {
  readonly account: AdminAccountView | null;
  readonly onClose: () => void;
  readonly onCredited: (account: AdminAccountView) => void;
}) {
  const { t } = useTranslation();
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
    if (!parsed.ok) {
      const words = sayServerWords(parsed.message);
      setError(new ApiError(422, words, { amount: [words] }));
    } else if (account) void run(account);
  };
  return (
    <Dialog
      open={account !== null}
      title={t('adminAccounts.creditNamed', { name: account?.name ?? '' })}
      onClose={close}
    >
      {account && (
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted">
            <Trans
              i18nKey="adminAccounts.creditText"
              values={{ balance: money(account.balance, account.sign), currency: account.currency }}
              components={{ strong: <strong /> }}
            />
          </p>
          <ErrorBanner error={formLevelError(error, ['amount', 'note'])} />
          <TextField
            label={t('adminAccounts.amount', { currency: account.currency })}
            name="amount"
            inputMode="decimal"
            placeholder="100,00"
            hint={t('adminAccounts.amountHint')}
            autoFocus
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            errors={fieldErrors(error, 'amount')}
          />
          <TextField
            label={t('adminAccounts.note')}
            name="note"
            placeholder={t('adminAccounts.notePlaceholder')}
            hint={t('adminAccounts.noteHint')}
            value={note}
            onChange={(event) => setNote(event.target.value)}
            errors={fieldErrors(error, 'note')}
          />
          <div className="dialog-footer dialog-footer-inline">
            <button type="button" className="btn" onClick={close} disabled={busy}>
              {t('ui.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('adminAccounts.crediting') : t('adminAccounts.creditAccount')}
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
  const { t } = useTranslation();
  useTitle(t('adminAccounts.title'));
  const columns: readonly Column[] = [
    { label: t('adminAccounts.account') },
    { label: t('adminAccounts.email') },
    { label: t('adminAccounts.balance'), num: true },
    { label: t('adminAccounts.tax'), num: true },
    { label: t('adminAccounts.sendings'), num: true },
    { label: t('adminAccounts.created') },
    { label: t('adminAccounts.status') },
    { label: t('adminAccounts.actions'), hidden: true },
  ];
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
        title={t('adminAccounts.title')}
        description={t('adminAccounts.description')}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" size={16} />
            <span>{t('adminAccounts.newAccount')}</span>
          </button>
        }
      />
      <Card>
        <search className="filters" aria-label={t('adminAccounts.search')}>
          <TextField
            label={t('adminAccounts.searchAccounts')}
            type="search"
            placeholder={t('adminAccounts.searchPlaceholder')}
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
          pagerLabel={t('adminAccounts.pages')}
          loadingLabel={t('adminAccounts.loading')}
          empty={<EmptyState title={debounced ? t('adminAccounts.noMatch') : t('adminAccounts.noneYet')} />}
          caption={t('adminAccounts.title')}
          columns={columns}
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
                  aria-label={t('adminAccounts.taxRateOf', { name: account.name })}
                  title={t('adminAccounts.changeTaxRate')}
                  onClick={() => setTaxing(account)}
                >
                  {account.tax_rate}%
                </button>
              </td>
              <td className="num">{count(account.sendings)}</td>
              <td className="nowrap">{date(account.created_at)}</td>
              <td>
                <StatusBadge status={account.suspended ? 'suspended' : 'active'} />{' '}
                <AccountControlsButton account={account} />
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={t('adminAccounts.creditNamed', { name: account.name })}
                  onClick={() => setCrediting(account)}
                >
                  {t('adminAccounts.credit')}
                </button>
                <button
                  type="button"
                  className={`btn btn-small ${account.suspended ? '' : 'btn-danger-outline'}`}
                  aria-label={
                    account.suspended
                      ? t('adminAccounts.reinstateNamed', { name: account.name })
                      : t('adminAccounts.suspendNamed', { name: account.name })
                  }
                  onClick={() => setSuspending(account)}
                >
                  {account.suspended ? t('adminAccounts.reinstate') : t('adminAccounts.suspend')}
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
          toast(t('adminAccounts.credited', { name: updated.name, balance: money(updated.balance, updated.sign) }));
        }}
      />
      <NewAccountDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(created) => {
          setSearch('');
          setPage(1);
          accounts.reload();
          toast(t('adminAccounts.opened', { name: created.name, id: created.id }));
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
          toast(t('adminAccounts.taxRateChanged', { name: updated.name, rate: updated.tax_rate }));
        }}
      />
      <ConfirmDialog
        open={suspending !== null}
        title={
          suspending?.suspended
            ? t('adminAccounts.reinstateTitle', { name: suspending.name })
            : t('adminAccounts.suspendTitle', { name: suspending?.name ?? '' })
        }
        confirmLabel={suspending?.suspended ? t('adminAccounts.reinstateAccount') : t('adminAccounts.suspendAccount')}
        danger={!suspending?.suspended}
        onClose={() => setSuspending(null)}
        onConfirm={async () => {
          if (!suspending) return;
          const updated = await api.post<AdminAccountView>(`/admin/accounts/${suspending.id}/suspend`, {
            suspended: !suspending.suspended,
          });
          replace(updated);
          toast(
            updated.suspended
              ? t('adminAccounts.suspended', { name: updated.name })
              : t('adminAccounts.reinstated', { name: updated.name }),
          );
        }}
      >
        <p>{suspending?.suspended ? t('adminAccounts.reinstateText') : t('adminAccounts.suspendText')}</p>
      </ConfirmDialog>
    </>
  );
}
