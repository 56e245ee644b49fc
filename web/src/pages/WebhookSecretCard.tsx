// Settings' webhook secret: masked until revealed, copied to the clipboard, rotated after a confirmation.
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { WEBHOOK_SECRET_GRACE_MS, type WebhookSecretView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { Icon } from '../components/icons.js';
import { useToast } from '../components/toast.js';
import { Banner, Card, ErrorBanner, Loading } from '../components/ui.js';
import { dateTime } from '../format.js';
import { useCopy, useResource } from '../hooks.js';

const GRACE_HOURS = WEBHOOK_SECRET_GRACE_MS / (60 * 60 * 1000);
const MASK = '•'.repeat(24);

export function WebhookSecretCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const secret = useResource<WebhookSecretView>('/webhook-secret');
  const [revealed, setRevealed] = useState(false);
  const { copied, copy: copyText, reset: resetCopied } = useCopy();
  const [confirming, setConfirming] = useState(false);
  const view = secret.data;

  const copy = async () => {
    if (view) await copyText(view.secret);
  };

  return (
    <Card title={t('webhookSecret.title')}>
      <p className="muted small" style={{ marginBottom: 16 }}>
        <Trans i18nKey="webhookSecret.intro" components={{ code: <code /> }} />
      </p>
      <ErrorBanner error={secret.error} onRetry={() => secret.reload()} />
      {!view ? (
        secret.error ? null : (
          <Loading label={t('webhookSecret.loading')} />
        )
      ) : (
        <div className="form">
          {view.previous_valid_until && (
            <Banner tone="info">
              <Trans
                i18nKey="webhookSecret.previous"
                values={{ until: dateTime(view.previous_valid_until) }}
                components={{ code: <code /> }}
              />
            </Banner>
          )}
          <div>
            <label htmlFor="webhook-secret" className="label">
              {t('webhookSecret.secret')}
            </label>
            <div className="copy-row">
              <input
                id="webhook-secret"
                className="input input-mono"
                readOnly
                value={revealed ? view.secret : MASK}
                onFocus={(event) => revealed && event.currentTarget.select()}
              />
              <button type="button" className="btn" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
                {revealed ? t('webhookSecret.hide') : t('webhookSecret.reveal')}
              </button>
              <button type="button" className="btn btn-primary" onClick={copy}>
                <Icon name="copy" size={16} />
                <span>{t('webhookSecret.copy')}</span>
              </button>
            </div>
            <p className="field-hint" role="status">
              {copied === 'yes' && t('webhookSecret.copied')}
              {copied === 'failed' && t('webhookSecret.copyFailed')}
            </p>
          </div>
          <p className="muted small">
            {view.rotated_at
              ? t('webhookSecret.lastRotated', { when: dateTime(view.rotated_at) })
              : t('webhookSecret.neverRotated')}
          </p>
          <div>
            <button type="button" className="btn btn-danger-outline" onClick={() => setConfirming(true)}>
              {t('webhookSecret.rotate')}
            </button>
          </div>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title={t('webhookSecret.rotateTitle')}
        confirmLabel={t('webhookSecret.rotate')}
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          const rotated = await api.post<WebhookSecretView>('/webhook-secret/rotate');
          secret.setData(() => rotated);
          setRevealed(false);
          resetCopied();
          toast(t('webhookSecret.rotated'));
        }}
      >
        <p>{t('webhookSecret.rotateText', { count: GRACE_HOURS })}</p>
      </ConfirmDialog>
    </Card>
  );
}
