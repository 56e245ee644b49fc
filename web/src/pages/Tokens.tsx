// API tokens: create one (shown once, with a copy button), list them, revoke one after a confirmation.
import type { FormEvent } from 'react';
import { useState } from 'react';
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

/** Where a developer starts: the API reference and the Postman collection, both generated from the API itself. */
function ApiLinks() {
  return (
    <Card title="Use the API">
      <p>
        Base URL <code>{apiBaseUrl()}</code>. Every request takes <code>Authorization: Bearer {'<token>'}</code>.
      </p>
      <ul className="link-list">
        <li>
          <a href="/postman.json" download="smsgic.postman_collection.json">
            Download the Postman collection
          </a>{' '}
          <span className="muted small">(set its bearerToken variable to your token)</span>
        </li>
        <li>
          <a href="/openapi.json">OpenAPI description</a>
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
  const { copied, copy: copyText, reset: resetCopied } = useCopy();
  const copy = async () => {
    if (token) await copyText(token.token);
  };
  return (
    <Dialog
      open={token !== null}
      title="Your new API token"
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
          Done
        </button>
      }
    >
      {token && (
        <>
          <p className="banner banner-warning">
            <strong>Copy it now: you will not see it again.</strong> We keep only a fingerprint of it, so it cannot be
            shown later. If you lose it, revoke it and create another.
          </p>
          <label htmlFor="new-token" className="label">
            Token “{token.name}”
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
              <span>Copy</span>
            </button>
          </div>
          <p className="field-hint" role="status">
            {copied === 'yes' && 'Copied to the clipboard.'}
            {copied === 'failed' && 'The browser refused the clipboard: select the token and copy it by hand.'}
          </p>
          <p className="muted small">
            Use it as <code>Authorization: Bearer {'<token>'}</code> in requests to the SMSgic API. Try it:
          </p>
          <label htmlFor="api-base-url" className="label">
            API base URL
          </label>
          <input id="api-base-url" className="input input-mono" readOnly value={apiBaseUrl()} />
          <label htmlFor="example-request" className="label">
            Example request
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
  useTitle('API tokens');
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
      <PageHeader
        title="API tokens"
        description="Tokens let your systems use the SMSgic API. Each one acts for this account: keep them secret."
      />
      <Card title="Create a token">
        <form className="inline-form" onSubmit={create} noValidate>
          <TextField
            label="Token name"
            name="name"
            placeholder="e.g. Production shop"
            hint="A name to recognise it by, such as the system that uses it."
            value={name}
            maxLength={100}
            onChange={(event) => setName(event.target.value)}
            errors={fieldErrors(error, 'name')}
          />
          <button type="submit" className="btn btn-primary inline-submit" disabled={busy}>
            <Icon name="plus" size={16} />
            <span>{busy ? 'Creating…' : 'Create token'}</span>
          </button>
        </form>
        <ErrorBanner error={formLevelError(error, ['name'])} />
      </Card>
      <ApiLinks />
      <Card title="Your tokens">
        <ErrorBanner error={tokens.error} onRetry={() => tokens.reload()} />
        {tokens.loading && !tokens.data ? (
          <Loading label="Loading tokens…" />
        ) : list.length === 0 && !tokens.error ? (
          <EmptyState title="No tokens yet">Create one above to start using the API.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
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
                      <td className="nowrap">{token.last_used_at ? dateTime(token.last_used_at) : 'Never'}</td>
                      <td>
                        <StatusBadge status={status} />
                      </td>
                      <td className="actions">
                        {status === 'active' && (
                          <button
                            type="button"
                            className="btn btn-small btn-danger-outline"
                            aria-label={`Revoke ${token.name}`}
                            onClick={() => setRevoking(token)}
                          >
                            Revoke
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
        title="Revoke this token?"
        confirmLabel="Revoke token"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const revoked = await api.post<TokenView>(`/tokens/${revoking.id}/revoke`);
          tokens.setData((current) =>
            current ? { data: current.data.map((token) => (token.id === revoked.id ? revoked : token)) } : current,
          );
          toast(`Token “${revoked.name}” revoked.`);
        }}
      >
        <p>
          Requests with <strong>{revoking?.name}</strong> (<code>{revoking?.prefix}…</code>) will be refused at once.
          This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
