// The one rule that makes a received text storable, whatever provider brought it.
import { describe, expect, it } from 'vitest';
import { storableText } from './inbound.js';

describe('storableText', () => {
  it('drops NULs closing a text and reads any other control but TAB, LF, FF and CR as U+FFFD', () => {
    expect(storableText('STOP\u0000\u0000')).toBe('STOP');
    expect(storableText('a\u0000b\u0001c\u001b[0m\u007f')).toBe('a\uFFFDb\uFFFDc\uFFFD[0m\u007f');
    expect(storableText('line\r\nnext\tcol\fpage')).toBe('line\r\nnext\tcol\fpage');
    expect(storableText('\u0000')).toBe('');
  });

  it('changes nothing more when applied again', () => {
    const once = storableText('x\u0000\u0002y\u0000');
    expect(storableText(once)).toBe(once);
  });
});
