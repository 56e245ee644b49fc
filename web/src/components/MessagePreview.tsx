// The message as a phone shows it, with the characters that force UCS-2 marked.
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';

/** Runs of plain text and single marked characters, walked by code point so that an emoji stays whole. */
export function highlightSegments(text: string, marked: ReadonlySet<string>): { text: string; marked: boolean }[] {
  const segments: { text: string; marked: boolean }[] = [];
  let plain = '';
  for (const char of text) {
    if (marked.has(char)) {
      if (plain) segments.push({ text: plain, marked: false });
      plain = '';
      segments.push({ text: char, marked: true });
    } else plain += char;
  }
  if (plain) segments.push({ text: plain, marked: false });
  return segments;
}

export function MessagePreview({
  text,
  sender,
  ucs2,
}: {
  readonly text: string;
  readonly sender: string;
  readonly ucs2: readonly string[];
}) {
  const { t } = useTranslation();
  const segments = highlightSegments(text, new Set(ucs2));
  return (
    <figure className="phone-preview" aria-label={t('preview.label')}>
      <figcaption className="phone-sender">{sender || t('preview.sender')}</figcaption>
      <div className="phone-bubble">
        {text === '' ? (
          <span className="muted">{t('preview.empty')}</span>
        ) : (
          segments.map((segment, index) =>
            segment.marked ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and rebuilt on every change.
              <mark key={index} title={t('preview.forcesUcs2')}>
                {segment.text}
              </mark>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and rebuilt on every change.
              <Fragment key={index}>{segment.text}</Fragment>
            ),
          )
        )}
      </div>
    </figure>
  );
}
