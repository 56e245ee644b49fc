// The language switch: each language named in itself; the choice is remembered in this browser.
import { useTranslation } from 'react-i18next';
import { chooseLanguage, currentLanguage, LANGUAGES, type Language } from '../i18n.js';

export function LanguageSwitch() {
  const { t } = useTranslation();
  return (
    <select
      className="language-switch"
      aria-label={t('language.label')}
      value={currentLanguage()}
      onChange={(event) => chooseLanguage(event.target.value as Language)}
    >
      {LANGUAGES.map((language) => (
        <option key={language.code} value={language.code} lang={language.code}>
          {language.name}
        </option>
      ))}
    </select>
  );
}
