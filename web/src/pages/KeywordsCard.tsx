// Settings' answers to keywords: the text sent back to HELP, whether STOP and START are confirmed (with what texts),
// and the account's own stop and start words beside the built-in ones. Each answer is a sending of the account,
// charged as any other.
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  KEYWORD_REPLY_CHARS_MAX,
  type KeywordAnswersView,
  OPT_OUT_WORD_CHARS_MAX,
  OPT_OUT_WORDS_MAX,
} from '../../../src/http/dashboard/contract.js';
import { api } from '../api.js';
import { useToast } from '../components/toast.js';
import {
  Card,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  SelectField,
  TextAreaField,
  TextField,
} from '../components/ui.js';
import { useResource, useSubmit } from '../hooks.js';

const FIELDS = ['help_text', 'confirmations', 'stop_text', 'start_text', 'stop_words', 'start_words', 'opt_out_scope'];

export function KeywordsCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const answers = useResource<KeywordAnswersView>('/keywords');
  const [helpText, setHelpText] = useState('');
  const [confirmations, setConfirmations] = useState(false);
  const [stopText, setStopText] = useState('');
  const [startText, setStartText] = useState('');
  const [stopWords, setStopWords] = useState('');
  const [startWords, setStartWords] = useState('');
  const [scope, setScope] = useState<KeywordAnswersView['opt_out_scope']>('account');
  useEffect(() => {
    if (!answers.data) return;
    setHelpText(answers.data.help_text ?? '');
    setConfirmations(answers.data.confirmations);
    setStopText(answers.data.stop_text);
    setStartText(answers.data.start_text);
    setStopWords(answers.data.stop_words.join(', '));
    setStartWords(answers.data.start_words.join(', '));
    setScope(answers.data.opt_out_scope);
  }, [answers.data]);
  const saving = useSubmit(async () => {
    const saved = await api.post<KeywordAnswersView>('/keywords', {
      help_text: helpText,
      confirmations,
      stop_text: stopText,
      start_text: startText,
      stop_words: stopWords,
      start_words: startWords,
      opt_out_scope: scope,
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
          <p className="muted small">
            {t('keywords.wordsLimit', { chars: OPT_OUT_WORD_CHARS_MAX, max: OPT_OUT_WORDS_MAX })}
          </p>
          <TextField
            label={t('keywords.stopWords')}
            value={stopWords}
            autoComplete="off"
            onChange={(event) => setStopWords(event.target.value)}
            hint={t('keywords.stopWordsHint', { words: answers.data.built_in_stop_words.join(', ') })}
            errors={fieldErrors(saving.error, 'stop_words')}
          />
          <TextField
            label={t('keywords.startWords')}
            value={startWords}
            autoComplete="off"
            onChange={(event) => setStartWords(event.target.value)}
            hint={t('keywords.startWordsHint', { words: answers.data.built_in_start_words.join(', ') })}
            errors={fieldErrors(saving.error, 'start_words')}
          />
          <SelectField
            label={t('keywords.scope')}
            name="opt_out_scope"
            value={scope}
            onChange={(event) => setScope(event.target.value === 'sender' ? 'sender' : 'account')}
            hint={t('keywords.scopeHint')}
            errors={fieldErrors(saving.error, 'opt_out_scope')}
          >
            <option value="account">{t('keywords.scopeAccount')}</option>
            <option value="sender">{t('keywords.scopeSender')}</option>
          </SelectField>
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
