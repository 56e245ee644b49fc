// API tokens: create one (shown once, with a copy button), list them, revoke one after a confirmation.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { CreatedTokenView, TokenView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { ConfirmDialog, Dialog } from '../components/dialog.js';
import { Icon } from '../components/icons.js';
import { useToast } from '../components/toast.js';
import {
  Card,
  EmptyState,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  PageHeader,
  StatusBadge,
  TextField,
} from '../components/ui.js';
import { dateTime } from '../format.js';
import { useCopy, useResource, useSubmit, useTitle } from '../hooks.js';

function tokenStatus(token: TokenView): 'active' | 'revoked' | 'expired' {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && new Date(token.expires_at).getTime() <= Date.now()) return 'expired';
  return 'active';
}

/** The API is served where the dashboard is. */
function apiBaseUrl(): string {
  return window.location.origin;
}

/** A first call with the new token: the balance, as the README's walk begins. */
function curlExample(token: string): string {
  return `curl -s ${apiBaseUrl()}/balance \\\n  -H "Authorization: Bearer ${token}"`;
}

const CODE = <code />;
const STRONG = <strong />;
/** The markup the translated texts may use. */
const MARKUP = { code: CODE, strong: STRONG };

/** Where a request's token goes, as the examples write it. */
const TOKEN = '<token>';

/** Where a developer starts: the API reference and the Postman collection, both generated from the API itself. */
function ApiLinks() {
  const { t } = useTranslation();
  return (
    <Card title={t('tokens.useApi')}>
      <p>
        <Trans i18nKey="tokens.baseUrl" values={{ url: apiBaseUrl(), token: TOKEN }} components={MARKUP} />
      </p>
      <ul className="link-list">
        <li>
          <a href="/postman.json" download="smsgic.postman_collection.json">
            {t('tokens.postman')}
          </a>{' '}
          <span className="muted small">{t('tokens.postmanHint')}</span>
        </li>
        <li>
          <a href="/openapi.json">{t('tokens.openApi')}</a>
        </li>
      </ul>
    </Card>
  );
}

function CreatedTokenDialog({
  token,
  onClose,
}: {
  readonly token: CreatedTokenView | null;
  readonly onClose: () => void;
}) {
  const { t } = useTranslation();
  const { copied, copy: copyText, reset: resetCopied } = useCopy();
  const copy = async () => {
    if (token) await copyText(token.token);
  };
  return (
    <Dialog
      open={token !== null}
      title={t('tokens.newToken')}
      onClose={() => {
        resetCopied();
        onClose();
      }}
      footer={
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => {
            resetCopied();
            onClose();
          }}
        >
          {t('tokens.done')}
        </button>
      }
    >
      {token && (
        <>
          <p className="banner banner-warning">
            <Trans i18nKey="tokens.copyNow" components={MARKUP} />
          </p>
          <label htmlFor="new-token" className="label">
            {t('tokens.tokenNamed', { name: token.name })}
          </label>
          <div className="copy-row">
            <input
              id="new-token"
              className="input input-mono"
              readOnly
              value={token.token}
              onFocus={(event) => event.currentTarget.select()}
            />
            <button type="button" className="btn btn-primary" onClick={copy}>
              <Icon name="copy" size={16} />
              <span>{t('tokens.copy')}</span>
            </button>
          </div>
          <p className="field-hint" role="status">
            {copied === 'yes' && t('tokens.copied')}
            {copied === 'failed' && t('tokens.copyFailed')}
          </p>
          <p className="muted small">
            <Trans i18nKey="tokens.useIt" values={{ token: TOKEN }} components={MARKUP} />
          </p>
          <label htmlFor="api-base-url" className="label">
            {t('tokens.apiBaseUrl')}
          </label>
          <input id="api-base-url" className="input input-mono" readOnly value={apiBaseUrl()} />
          <label htmlFor="example-request" className="label">
            {t('tokens.exampleRequest')}
          </label>
          <textarea
            id="example-request"
            className="input code-block"
            readOnly
            rows={2}
            value={curlExample(token.token)}
            onFocus={(event) => event.currentTarget.select()}
          />
        </>
      )}
    </Dialog>
  );
}

export function TokensPage() {
  const { t } = useTranslation();
  useTitle(t('tokens.title'));
  const toast = useToast();
  const tokens = useResource<{ data: TokenView[] }>('/tokens');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedTokenView | null>(null);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const { busy, error, run } = useSubmit(async () => {
    const token = await api.post<CreatedTokenView>('/tokens', { name: name.trim() });
    setCreated(token);
    setName('');
    tokens.reload(true);
  });

  const create = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };

  const list = tokens.data?.data ?? [];
  return (
    <>
      <PageHeader title={t('tokens.title')} description={t('tokens.description')} />
      <Card title={t('tokens.createTitle')}>
        <form className="inline-form" onSubmit={create} noValidate>
          <TextField
            label={t('tokens.tokenName')}
            name="name"
            placeholder={t('tokens.placeholder')}
            hint={t('tokens.nameHint')}
            value={name}
            maxLength={100}
            onChange={(event) => setName(event.target.value)}
            errors={fieldErrors(error, 'name')}
          />
          <button type="submit" className="btn btn-primary inline-submit" disabled={busy}>
            <Icon name="plus" size={16} />
            <span>{busy ? t('tokens.creating') : t('tokens.create')}</span>
          </button>
        </form>
        <ErrorBanner error={formLevelError(error, ['name'])} />
      </Card>
      <ApiLinks />
      <Card title={t('tokens.yours')}>
        <ErrorBanner error={tokens.error} onRetry={() => tokens.reload()} />
        {tokens.loading && !tokens.data ? (
          <Loading label={t('tokens.loading')} />
        ) : list.length === 0 && !tokens.error ? (
          <EmptyState title={t('tokens.noneYet')}>{t('tokens.emptyText')}</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t('tokens.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('tokens.name')}</th>
                  <th scope="col">{t('tokens.prefix')}</th>
                  <th scope="col">{t('tokens.created')}</th>
                  <th scope="col">{t('tokens.lastUsed')}</th>
                  <th scope="col">{t('tokens.status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('tokens.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((token) => {
                  const status = tokenStatus(token);
                  return (
                    <tr key={token.id}>
                      <th scope="row">{token.name}</th>
                      <td>
                        <code>{token.prefix}…</code>
                      </td>
                      <td className="nowrap">{dateTime(token.created_at)}</td>
                      <td className="nowrap">
                        {token.last_used_at ? dateTime(token.last_used_at) : t('tokens.never')}
                      </td>
                      <td>
                        <StatusBadge status={status} />
                      </td>
                      <td className="actions">
                        {status === 'active' && (
                          <button
                            type="button"
                            className="btn btn-small btn-danger-outline"
                            aria-label={t('tokens.revokeNamed', { name: token.name })}
                            onClick={() => setRevoking(token)}
                          >
                            {t('tokens.revoke')}
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <CreatedTokenDialog token={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        open={revoking !== null}
        title={t('tokens.revokeTitle')}
        confirmLabel={t('tokens.revokeToken')}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const revoked = await api.post<TokenView>(`/tokens/${revoking.id}/revoke`);
          tokens.setData((current) =>
            current ? { data: current.data.map((token) => (token.id === revoked.id ? revoked : token)) } : current,
          );
          toast(t('tokens.revoked', { name: revoked.name }));
        }}
      >
        <p>
          <Trans
            i18nKey="tokens.revokeText"
            values={{ name: revoking?.name, prefix: revoking?.prefix }}
            components={MARKUP}
          />
        </p>
      </ConfirmDialog>
    </>
  );
}
