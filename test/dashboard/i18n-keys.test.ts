// The dashboard's languages: every key the code translates (`t('…')` in web/src) exists in every language file, the
// files have the same keys and no empty text, and the modules listed as translated hold no text left in English.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_TEXTS } from '../../src/domain/texts.js';
import { en } from '../../web/src/locales/en.js';
import { lv } from '../../web/src/locales/lv.js';
import { ru } from '../../web/src/locales/ru.js';

const WEB = join(import.meta.dirname, '../../web/src');
const LANGUAGES: Record<string, unknown> = { en, lv, ru };

/** The modules whose every visible text goes through `t`. */
const TRANSLATED_MODULES = [
  'main.tsx',
  'components/Layout.tsx',
  'components/LanguageSwitch.tsx',
  'pages/Auth.tsx',
  'pages/NotFound.tsx',
  'pages/Overview.tsx',
  'pages/Compose.tsx',
  'pages/Campaigns.tsx',
  'pages/Transactions.tsx',
  'pages/Settings.tsx',
  'pages/Senders.tsx',
  'pages/InboundUrlCard.tsx',
  'pages/Inbox.tsx',
  'pages/KeywordsCard.tsx',
  'components/charts.tsx',
  'components/ui.tsx',
  'components/dialog.tsx',
  'components/toast.tsx',
  'pages/admin/Costs.tsx',
  'pages/admin/Margin.tsx',
  'pages/admin/RouteSimulation.tsx',
  'components/MessagePreview.tsx',
  'components/PagedTable.tsx',
  'components/RatesTable.tsx',
  'pages/OptOuts.tsx',
  'pages/Rates.tsx',
  'pages/Tokens.tsx',
  'pages/WebhookSecretCard.tsx',
  'pages/SpendingControlsCard.tsx',
  'pages/admin/AccountDialogs.tsx',
  'pages/admin/Accounts.tsx',
  'pages/admin/Providers.tsx',
  'pages/admin/Rates.tsx',
  'pages/admin/Senders.tsx',
  'pages/admin/Volume.tsx',
  'pages/admin/Numbers.tsx',
  'pages/admin/AccountControlsDialog.tsx',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !path.includes('/locales/') ? [path] : [];
  });
}

function flatten(texts: unknown, prefix = ''): Map<string, unknown> {
  const keys = new Map<string, unknown>();
  for (const [key, value] of Object.entries(texts as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') for (const entry of flatten(value, path)) keys.set(...entry);
    else keys.set(path, value);
  }
  return keys;
}

/** The section of the server's texts, keyed by their codes (domain/texts.ts), which the code looks up by code. */
const SERVER_SECTION = 'server.';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Keys without their plural suffix, each with the plural forms it has (none for a key without plural forms). */
function baseKeys(texts: unknown): Map<string, Set<string>> {
  const bases = new Map<string, Set<string>>();
  for (const key of flatten(texts).keys()) {
    const form = PLURAL_SUFFIX.exec(key)?.[1];
    const base = key.replace(PLURAL_SUFFIX, '');
    const forms = bases.get(base) ?? new Set<string>();
    if (form) forms.add(form);
    bases.set(base, forms);
  }
  return bases;
}

/** Every `t('key')` / `t("key")` and `<Trans i18nKey="key">` of a source, with the file it is in. */
function usedKeys(): { key: string; file: string }[] {
  return sources(WEB).flatMap((path) =>
    [...readFileSync(path, 'utf8').matchAll(/(?:\bt\(\s*|\bi18nKey=)['"]([^'"]+)['"]/g)].map((match) => ({
      key: match[1] as string,
      file: relative(WEB, path),
    })),
  );
}

/** Texts in a module that bypass `t`: JSX text with letters, and literal labels, titles, hints and placeholders. */
function untranslated(source: string): string[] {
  const jsxText = [...source.matchAll(/>\s*([^<>{}=;]*[A-Za-z]{2,}[^<>{}=;]*?)\s*</g)]
    .map((match) => match[1] as string)
    .filter((text) => text !== 'SMSgic' && !/^[\w.]+$/.test(text) && !text.includes('=>') && !text.includes('('));
  const attributes = [
    ...source.matchAll(/\b(?:label|title|hint|placeholder|aria-label|subtitle)="([^"]*[A-Za-z][^"]*)"/g),
  ].map((match) => match[1] as string);
  return [...jsxText, ...attributes];
}

describe('the dashboard texts', () => {
  it('has every key the code uses in every language', () => {
    const used = usedKeys();
    expect(used.length).toBeGreaterThan(20);
    for (const [language, texts] of Object.entries(LANGUAGES)) {
      const keys = baseKeys(texts);
      const missing = used.filter(({ key }) => !keys.has(key)).map(({ key, file }) => `${file}: ${key}`);
      expect(missing, `missing in ${language}`).toEqual([]);
    }
  });

  it('has the same keys in every language, each a text that is not empty', () => {
    const english = [...baseKeys(en).keys()].sort();
    for (const [language, texts] of Object.entries(LANGUAGES)) {
      expect([...baseKeys(texts).keys()].sort(), language).toEqual(english);
      const keys = flatten(texts);
      const empty = [...keys].filter(([, value]) => typeof value !== 'string' || value.trim() === '');
      expect(empty, `empty in ${language}`).toEqual([]);
    }
  });

  it("has every plural form of each language's plural rules", () => {
    for (const [language, texts] of Object.entries(LANGUAGES)) {
      const needed = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      for (const [key, forms] of baseKeys(texts)) {
        if (forms.size === 0) continue;
        expect([...forms].sort(), `${language}: ${key}`).toEqual([...needed].sort());
      }
    }
  });

  it('uses every key it defines (the server texts by their codes)', () => {
    const used = new Set(usedKeys().map(({ key }) => key));
    const unused = [...baseKeys(en).keys()].filter((key) => !used.has(key) && !key.startsWith(SERVER_SECTION));
    expect(unused).toEqual([]);
  });

  it('has a key for every code of the server texts in every language, and no other', () => {
    const codes = Object.keys(SERVER_TEXTS).sort();
    expect(codes.length).toBeGreaterThan(50);
    for (const [language, texts] of Object.entries(LANGUAGES)) {
      const server = [...baseKeys(texts).keys()].filter((key) => key.startsWith(SERVER_SECTION));
      expect(server.map((key) => key.slice(SERVER_SECTION.length)).sort(), language).toEqual(codes);
    }
  });

  it("gives a server text's translation the same parameters as its English words", () => {
    const names = (text: unknown) => [...String(text).matchAll(/\{\{(\w+)/g)].map((match) => match[1]).sort();
    for (const [language, texts] of Object.entries(LANGUAGES)) {
      for (const [key, text] of flatten(texts)) {
        if (!key.startsWith(SERVER_SECTION)) continue;
        const code = key.slice(SERVER_SECTION.length).replace(PLURAL_SUFFIX, '') as keyof typeof SERVER_TEXTS;
        expect(names(text), `${language}: ${key}`).toEqual(names(SERVER_TEXTS[code]));
      }
    }
  });

  it.each(TRANSLATED_MODULES)('leaves no text in English in %s', (module) => {
    expect(untranslated(readFileSync(join(WEB, module), 'utf8'))).toEqual([]);
  });
});
