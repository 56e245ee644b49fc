// GSM 03.38 benchmarks: part counting of typical SMS texts and the split of a long text, in texts per second.
import { countParts, splitParts } from '../src/domain/gsm.js';
import { type BenchRow, formatRate, opsPerSecond, seededRandom } from './harness.js';

/** Distinct texts per measure, so that the JIT sees varying inputs rather than one constant string. */
const TEXTS_PER_SET = 64;

const GSM_BASIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      .,!?:;-+@£$_&%()/\'"èéÄÖÜß';
const GSM_EXTENSION = '€[]{}|^~\\';
const CYRILLIC = 'абвгдежзийклмнопрстуфхцчшщыьэюяАБВГДЕЖЗИЙКЛМНОПРСТ      ';
const EMOJI = ['😀', '👍', '🎉', '🚀'];
const RARE_NON_GSM = '’“”–…';

type NextAtom = (random: () => number, pick: (chars: string) => string, textIndex: number) => string;

function buildTexts(seed: number, lengthUnits: number, nextAtom: NextAtom): string[] {
  const random = seededRandom(seed);
  const pick = (chars: string): string => chars.charAt(Math.floor(random() * chars.length));
  const texts: string[] = [];
  for (let textIndex = 0; textIndex < TEXTS_PER_SET; textIndex++) {
    let text = '';
    while (text.length < lengthUnits) {
      const atom = nextAtom(random, pick, textIndex);
      if (text.length + atom.length <= lengthUnits) text += atom;
    }
    texts.push(text);
  }
  return texts;
}

/**
 * Half the UCS-2 texts are Cyrillic with some emoji; the other half are Latin where a rare character (a curly
 * apostrophe, a dash, an emoji) forces UCS-2, so the scan runs over GSM characters before deciding.
 */
const ucs2Atom: NextAtom = (random, pick, textIndex) => {
  if (random() < 0.03) return EMOJI[Math.floor(random() * EMOJI.length)] as string;
  if (textIndex % 2 === 0) return pick(CYRILLIC);
  return random() < 0.03 ? pick(RARE_NON_GSM) : pick(GSM_BASIC);
};

/** Texts per second of `measure` over a set of texts; the summed result is checked so the work cannot be dropped. */
function textsPerSecond(texts: readonly string[], measure: (text: string) => number): number {
  let checksum = 0;
  const rate = opsPerSecond(() => {
    for (const text of texts) checksum += measure(text);
  }, texts.length);
  if (checksum <= 0) throw new Error('benchmark produced no parts');
  return rate;
}

/**
 * A Latin text that drew no rare character gets a curly apostrophe at a seeded position, the usual reason such a
 * text is UCS-2.
 */
function forceUcs2(texts: readonly string[], seed: number): string[] {
  const random = seededRandom(seed);
  return texts.map((text) => {
    if (countParts(text).encoding === 'UCS-2') return text;
    const at = Math.floor(random() * text.length);
    return `${text.slice(0, at)}’${text.slice(at + 1)}`;
  });
}

const UCS2_KIND = 'half Cyrillic, half Latin with a rare non-GSM character';

export async function run(): Promise<BenchRow[]> {
  const gsm160 = buildTexts(1, 160, (_random, pick) => pick(GSM_BASIC));
  const ucs2Of70 = forceUcs2(buildTexts(2, 70, ucs2Atom), 5);
  const ucs2Of160 = forceUcs2(buildTexts(3, 160, ucs2Atom), 6);
  const gsmWithExtension1000 = buildTexts(4, 1000, (random, pick) =>
    random() < 0.02 ? pick(GSM_EXTENSION) : pick(GSM_BASIC),
  );

  const countedParts = (text: string): number => countParts(text).parts;
  const splitPartCount = (text: string): number => splitParts(text).parts.length;
  const notes = (texts: readonly string[], kind: string): string => {
    const encodings = new Set(texts.map((text) => countParts(text).encoding));
    const parts = new Set(texts.map(countedParts));
    if (encodings.size !== 1) throw new Error(`texts for "${kind}" mix encodings`);
    return `${texts.length} prebuilt texts, ${kind}; parts per text: ${[...parts].sort((a, b) => a - b).join(', ')}`;
  };

  return [
    {
      name: 'countParts, 160-char GSM-7 text',
      result: formatRate(textsPerSecond(gsm160, countedParts), 'texts/s'),
      target: '',
      notes: notes(gsm160, 'basic characters'),
    },
    {
      name: 'countParts, 70-char UCS-2 text',
      result: formatRate(textsPerSecond(ucs2Of70, countedParts), 'texts/s'),
      target: '',
      notes: notes(ucs2Of70, UCS2_KIND),
    },
    {
      name: 'countParts, 160-char UCS-2 text',
      result: formatRate(textsPerSecond(ucs2Of160, countedParts), 'texts/s'),
      target: '',
      notes: notes(ucs2Of160, UCS2_KIND),
    },
    {
      name: 'countParts, 1,000-char GSM-7 text with extension characters',
      result: formatRate(textsPerSecond(gsmWithExtension1000, countedParts), 'texts/s'),
      target: '',
      notes: notes(gsmWithExtension1000, '2% extension characters'),
    },
    {
      name: 'splitParts, 1,000-char GSM-7 text',
      result: formatRate(textsPerSecond(gsmWithExtension1000, splitPartCount), 'texts/s'),
      target: '',
      notes: notes(gsmWithExtension1000, '2% extension characters'),
    },
  ];
}
