// Settings' webhook secret: masked until revealed, copied to the clipboard, rotated after a confirmation.
import { useState } from 'react';
import { WEBHOOK_SECRET_GRACE_MS, type WebhookSecretView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { Icon } from '../components/icons.js';
import { useToast } from '../components/toast.js';
import { Banner, Card, ErrorBanner, Loading } from '../components/ui.js';
import { dateTime, plural } from '../format.js';
import { useCopy, useResource } from '../hooks.js';

const GRACE_TEXT = plural(WEBHOOK_SECRET_GRACE_MS / (60 * 60 * 1000), 'hour');
const MASK = '•'.repeat(24);

export function WebhookSecretCard() {
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
    <Card title="Webhook secret">
      <p className="muted small" style={{ marginBottom: 16 }}>
        Status callbacks to your <code>callback_url</code> are signed: <code>X-Smsgic-Signature</code> is the hex
        HMAC-SHA256 of the request body under this secret. Check it before you trust a callback.
      </p>
      <ErrorBanner error={secret.error} onRetry={() => secret.reload()} />
      {!view ? (
        secret.error ? null : (
          <Loading label="Loading the webhook secret…" />
        )
      ) : (
        <div className="form">
          {view.previous_valid_until && (
            <Banner tone="info">
              The previous secret keeps working until {dateTime(view.previous_valid_until)}: until then callbacks carry
              its signature in <code>X-Smsgic-Signature</code> and this secret's in <code>X-Smsgic-Signature-New</code>.
            </Banner>
          )}
          <div>
            <label htmlFor="webhook-secret" className="label">
              Secret
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
                {revealed ? 'Hide' : 'Reveal'}
              </button>
              <button type="button" className="btn btn-primary" onClick={copy}>
                <Icon name="copy" size={16} />
                <span>Copy</span>
              </button>
            </div>
            <p className="field-hint" role="status">
              {copied === 'yes' && 'Copied to the clipboard.'}
              {copied === 'failed' && 'The browser refused the clipboard: reveal the secret and copy it by hand.'}
            </p>
          </div>
          <p className="muted small">
            {view.rotated_at ? `Last rotated ${dateTime(view.rotated_at)}.` : 'Never rotated.'}
          </p>
          <div>
            <button type="button" className="btn btn-danger-outline" onClick={() => setConfirming(true)}>
              Rotate secret
            </button>
          </div>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title="Rotate the webhook secret?"
        confirmLabel="Rotate secret"
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          const rotated = await api.post<WebhookSecretView>('/webhook-secret/rotate');
          secret.setData(() => rotated);
          setRevealed(false);
          resetCopied();
          toast('Webhook secret rotated.');
        }}
      >
        <p>
          A new secret is made at once. The old secret keeps working for {GRACE_TEXT}: until then each callback is
          signed with both, so your systems can switch to the new one without missing a callback. After that only the
          new secret works.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
