// Settings' answers to keywords: the text sent back to HELP, and whether STOP and START are confirmed (with what
// texts). Each answer is a sending of the account, charged as any other.
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KEYWORD_REPLY_CHARS_MAX, type KeywordAnswersView } from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { useToast } from '../components/toast.js';
import { Card, ErrorBanner, fieldErrors, formLevelError, Loading, TextAreaField } from '../components/ui.js';
import { useResource, useSubmit } from '../hooks.js';

const FIELDS = ['help_text', 'confirmations', 'stop_text', 'start_text'];

export function KeywordsCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const answers = useResource<KeywordAnswersView>('/keywords');
  const [helpText, setHelpText] = useState('');
  const [confirmations, setConfirmations] = useState(false);
  const [stopText, setStopText] = useState('');
  const [startText, setStartText] = useState('');
  useEffect(() => {
    if (!answers.data) return;
    setHelpText(answers.data.help_text ?? '');
    setConfirmations(answers.data.confirmations);
    setStopText(answers.data.stop_text);
    setStartText(answers.data.start_text);
  }, [answers.data]);
  const saving = useSubmit(async () => {
    const saved = await api.post<KeywordAnswersView>('/keywords', {
      help_text: helpText,
      confirmations,
      stop_text: stopText,
      start_text: startText,
    });
    answers.setData(() => saved);
    toast(t('keywords.saved'));
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void saving.run();
  };
  return (
    <Card title={t('keywords.title')}>
      <p className="muted small">{t('keywords.description')}</p>
      <ErrorBanner error={answers.error} onRetry={() => answers.reload()} />
      {!answers.data ? (
        <Loading label={t('keywords.loading')} />
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <TextAreaField
            label={t('keywords.helpText')}
            rows={2}
            maxLength={KEYWORD_REPLY_CHARS_MAX}
            value={helpText}
            onChange={(event) => setHelpText(event.target.value)}
            hint={t('keywords.helpHint')}
            errors={fieldErrors(saving.error, 'help_text')}
          />
          <div className="checkbox-row">
            <input
              id="keyword-confirmations"
              type="checkbox"
              checked={confirmations}
              onChange={(event) => setConfirmations(event.target.checked)}
            />
            <label htmlFor="keyword-confirmations">{t('keywords.confirmations')}</label>
          </div>
          <p className="muted small">{t('keywords.confirmationsHint')}</p>
          <TextAreaField
            label={t('keywords.stopText')}
            rows={2}
            maxLength={KEYWORD_REPLY_CHARS_MAX}
            value={stopText}
            disabled={!confirmations}
            onChange={(event) => setStopText(event.target.value)}
            errors={fieldErrors(saving.error, 'stop_text')}
          />
          <TextAreaField
            label={t('keywords.startText')}
            rows={2}
            maxLength={KEYWORD_REPLY_CHARS_MAX}
            value={startText}
            disabled={!confirmations}
            onChange={(event) => setStartText(event.target.value)}
            errors={fieldErrors(saving.error, 'start_text')}
          />
          <ErrorBanner error={formLevelError(saving.error, FIELDS)} />
          <div>
            <button type="submit" className="btn btn-primary" disabled={saving.busy}>
              {saving.busy ? t('keywords.saving') : t('keywords.save')}
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}
