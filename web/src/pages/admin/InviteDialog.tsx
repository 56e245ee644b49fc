// Operator: inviting the owner of an account (or a colleague) — the dialog makes the link and shows it once, to copy.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type AdminAccountView,
  DASHBOARD_BASE,
  type NewInvitationView,
} from '../../../../src/http/dashboard/contract.js';
import { api } from '../../api.js';
import { Dialog } from '../../components/dialog.js';
import { ErrorBanner, fieldErrors, formLevelError, TextField } from '../../components/ui.js';
import { date } from '../../format.js';
import { useCopy, useSubmit } from '../../hooks.js';

/** The link an invitation's token makes on this dashboard: the token in the fragment, never sent to a server. */
export function invitationLink(token: string): string {
  return `${window.location.origin}${DASHBOARD_BASE}/invite#${token}`;
}

export function InviteDialog({
  account,
  onClose,
}: {
  readonly account: AdminAccountView | null;
  readonly onClose: () => void;
}) {
  const { t } = useTranslation();
  const [email, setEmail] = useState<string | null>(null);
  const [made, setMade] = useState<NewInvitationView | null>(null);
  const { copied, copy, reset: resetCopy } = useCopy();
  const close = () => {
    setEmail(null);
    setMade(null);
    resetCopy();
    reset();
    onClose();
  };
  const { busy, error, reset, run } = useSubmit(async (target: AdminAccountView) => {
    const typed = (email ?? target.email ?? '').trim();
    setMade(
      await api.post<NewInvitationView>(`/admin/accounts/${target.id}/invitations`, typed ? { email: typed } : {}),
    );
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (account) void run(account);
  };
  const link = made ? invitationLink(made.token) : '';
  return (
    <Dialog open={account !== null} title={t('invite.dialogTitle', { name: account?.name ?? '' })} onClose={close}>
      {account && !made && (
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted">{t('invite.dialogText')}</p>
          <ErrorBanner error={formLevelError(error, ['email'])} />
          <TextField
            label={t('invite.email')}
            name="email"
            type="email"
            autoFocus
            value={email ?? account.email ?? ''}
            onChange={(event) => setEmail(event.target.value)}
            errors={fieldErrors(error, 'email')}
          />
          <div className="dialog-footer dialog-footer-inline">
            <button type="button" className="btn" onClick={close} disabled={busy}>
              {t('invite.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('invite.making') : t('invite.make')}
            </button>
          </div>
        </form>
      )}
      {made && (
        <div className="form">
          <p>{t('invite.madeText', { email: made.email, date: date(made.expires_at) })}</p>
          <TextField
            label={t('invite.link')}
            name="invitation_link"
            value={link}
            readOnly
            onFocus={(e) => e.target.select()}
          />
          <p className="muted small" role="status">
            {copied === 'yes' ? t('invite.copied') : copied === 'failed' ? t('invite.copyFailed') : ''}
          </p>
          <div className="dialog-footer dialog-footer-inline">
            <button type="button" className="btn" onClick={() => void copy(link)}>
              {t('invite.copy')}
            </button>
            <button type="button" className="btn btn-primary" onClick={close}>
              {t('invite.done')}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
