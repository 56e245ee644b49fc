// Numbers as people write them, read as the API takes them; lists typed or pasted, split where numbers end.
import { describe, expect, it } from 'vitest';
import {
  isRecipientNumber,
  normaliseRecipient,
  recipientCsvCell,
  recipientCsvLayout,
  recipientCsvLines,
  splitRecipientText,
} from './recipient-text.js';

describe('normaliseRecipient', () => {
  it.each([
    ['37126123457', '37126123457'],
    ['+371 2612 3457', '37126123457'],
    ['0037126123457', '37126123457'],
    ['00 371 2612-3457', '37126123457'],
    ['+44 (20) 7946.0958', '442079460958'],
    ['"+371-2612-3457"', '37126123457'],
    ["  '37126123457'  ", '37126123457'],
    ['', ''],
    ['   ', ''],
  ])('reads %j as %j', (written, read) => {
    expect(normaliseRecipient(written)).toBe(read);
  });

  it('keeps what is no phone number as written, so that it is reported as typed', () => {
    expect(normaliseRecipient('hello')).toBe('hello');
    expect(normaliseRecipient('3712612345a')).toBe('3712612345a');
    expect(normaliseRecipient('371+2612')).toBe('371+2612');
  });

  it('knows what the API takes: 8 to 20 digits', () => {
    expect(['1234567', '12345678', '1'.repeat(20), '1'.repeat(21), '+37126123457'].map(isRecipientNumber)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('splitRecipientText', () => {
  it('reads numbers whose digits are grouped with spaces as one number each', () => {
    expect(splitRecipientText('+371 2612 3457, 0037126123458')).toEqual(['37126123457', '37126123458']);
    expect(splitRecipientText('+371 2612 3457 +371 2612 3458\n00 44 7400 123456')).toEqual([
      '37126123457',
      '37126123458',
      '447400123456',
    ]);
    expect(splitRecipientText('371 2612 3457')).toEqual(['37126123457']);
  });

  it('still splits at list separators and between numbers each written whole', () => {
    expect(splitRecipientText('37126123457 37126123458;447400123456|4525123456\t37126123459\r\n')).toEqual([
      '37126123457',
      '37126123458',
      '447400123456',
      '4525123456',
      '37126123459',
    ]);
    expect(splitRecipientText(' , ;\n\n')).toEqual([]);
  });

  it('takes each word on its own when the words make no numbers together, so that the bad ones are listed', () => {
    expect(splitRecipientText('37126123457 hello 123')).toEqual(['37126123457', 'hello', '123']);
    expect(splitRecipientText('+371 2612 3457 hello')).toEqual(['371', '2612', '3457', 'hello']);
  });
});

describe('a CSV file of numbers', () => {
  it('finds the column of numbers, its delimiter and a header row', () => {
    const lines = recipientCsvLines(
      '\uFEFFname;phone;city\r\nAnn;+371 2612 3457;Riga\r\n"Bob; Jr";0037126123458;Cēsis\r\n',
    );
    expect(lines).toHaveLength(4);
    expect(recipientCsvLayout(lines)).toEqual({ delimiter: ';', column: 1, header: 'phone' });
    expect(recipientCsvCell(lines[2] as string, ';', 1)).toBe('0037126123458');
    expect(recipientCsvCell(lines[2] as string, ';', 0)).toBe('Bob; Jr');
    expect(recipientCsvCell('Ann;x', ';', 5)).toBe('');
  });

  it('reads a file of one column without a header', () => {
    const lines = recipientCsvLines('37126123457\n37126123458\n');
    expect(recipientCsvLayout(lines)).toEqual({ delimiter: '', column: 0, header: null });
    expect(recipientCsvCell(lines[0] as string, '', 0)).toBe('37126123457');
  });
});
