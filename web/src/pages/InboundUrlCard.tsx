// Settings' inbound URL: where each message the account's numbers receive is POSTed, signed as status callbacks are.
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InboundUrlView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { useToast } from '../components/toast.js';
import { Card, ErrorBanner, fieldErrors, Loading, TextField } from '../components/ui.js';
import { useResource } from '../hooks.js';

export function InboundUrlCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const current = useResource<InboundUrlView>('/inbound-url');
  const [url, setUrl] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (current.data) setUrl(current.data.inbound_url ?? '');
  }, [current.data]);

  const save = async (event: FormEvent, value: string) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api.post<InboundUrlView>('/inbound-url', { inbound_url: value });
      current.setData(() => saved);
      toast(saved.inbound_url === null ? t('inbound.cleared') : t('inbound.saved'));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const view = current.data;
  return (
    <Card title={t('inbound.title')}>
      <p className="muted small" style={{ marginBottom: 16 }}>
        {t('inbound.description')}
      </p>
      <ErrorBanner error={current.error} onRetry={() => current.reload()} />
      {!view ? (
        current.error ? null : (
          <Loading label={t('inbound.loading')} />
        )
      ) : (
        <form className="form" onSubmit={(event) => save(event, url)}>
          <p role="status">
            {view.inbound_url === null ? t('inbound.none') : t('inbound.current', { url: view.inbound_url })}
          </p>
          <TextField
            label={t('inbound.url')}
            type="url"
            inputMode="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            hint={t('inbound.hint')}
            errors={fieldErrors(error, 'inbound_url')}
          />
          <div className="row" style={{ display: 'flex', gap: 8 }}>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('compose.saving') : t('inbound.save')}
            </button>
            {view.inbound_url !== null && (
              <button type="button" className="btn" disabled={busy} onClick={(event) => save(event, '')}>
                {t('inbound.clear')}
              </button>
            )}
          </div>
        </form>
      )}
    </Card>
  );
}
