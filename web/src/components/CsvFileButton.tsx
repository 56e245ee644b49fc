// A button that opens a CSV file and hands its text over: the import forms of the operator's pages.
import type { ChangeEvent } from 'react';
import { useId, useRef } from 'react';
import { Icon } from './icons.js';

export function CsvFileButton({
  label,
  onFile,
}: {
  readonly label: string;
  /** The file's text and name; the same file may be chosen again afterwards. */
  readonly onFile: (text: string, name: string) => void | Promise<void>;
}) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const load = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (input.current) input.current.value = '';
    if (!file) return;
    await onFile(await file.text(), file.name);
  };
  return (
    <>
      <label htmlFor={id} className="btn">
        <Icon name="upload" size={16} />
        <span>{label}</span>
      </label>
      <input
        ref={input}
        id={id}
        className="visually-hidden-input"
        type="file"
        accept=".csv,text/csv,text/plain"
        onChange={load}
      />
    </>
  );
}
