// The dashboard's languages: English (the default and the fallback), Latvian and Russian, through i18next. The choice
// is kept in the browser (localStorage) and read back first; without one, the browser's preferred languages decide.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en.js';
import { lv } from './locales/lv.js';
import { ru } from './locales/ru.js';

export const LANGUAGES = [
  { code: 'en', name: 'English', locale: 'en-GB' },
  { code: 'lv', name: 'Latviešu', locale: 'lv-LV' },
  { code: 'ru', name: 'Русский', locale: 'ru-RU' },
] as const;

export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'smsgic.language';

function isLanguage(value: string | null | undefined): value is Language {
  return LANGUAGES.some((language) => language.code === value);
}

function savedLanguage(): Language | undefined {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    return isLanguage(saved) ? saved : undefined;
  } catch {
    return undefined;
  }
}

/** The saved choice, else the first of the browser's languages the dashboard speaks, else English. */
function detectLanguage(): Language {
  const saved = savedLanguage();
  if (saved) return saved;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

function applyToDocument(language: string): void {
  document.documentElement.lang = language;
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, lv: { translation: lv }, ru: { translation: ru } },
  lng: detectLanguage(),
  fallbackLng: 'en',
  supportedLngs: LANGUAGES.map((language) => language.code),
  interpolation: { escapeValue: false },
  returnNull: false,
});
applyToDocument(i18next.language);
i18next.on('languageChanged', applyToDocument);

export const i18n = i18next;

/** The current language (one the dashboard speaks). */
export function currentLanguage(): Language {
  return isLanguage(i18next.resolvedLanguage) ? i18next.resolvedLanguage : 'en';
}

/** The BCP 47 locale Intl formats with for the current language. */
export function currentLocale(): string {
  const language = currentLanguage();
  return LANGUAGES.find((entry) => entry.code === language)?.locale ?? 'en-GB';
}

/** Switches the language and remembers the choice in this browser. */
export function chooseLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage may be unavailable (private mode): the choice then lasts until the page is left.
  }
  void i18next.changeLanguage(language);
}
