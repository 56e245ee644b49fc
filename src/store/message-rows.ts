// The per-recipient rows of a new sending, taken in bounded chunks from parallel arrays or any iterable.

/** One recipient of a sending as priced. */
export interface MessageRow {
  /** International digits without "+". */
  readonly recipient: string;
  readonly countryId: number | null;
  readonly mcc: string | null;
  readonly mnc: string | null;
  /** "Denmark Telenor", or the country alone. */
  readonly destination: string;
  readonly parts: number;
  readonly rateMinor: number;
  /** parts × rateMinor. */
  readonly costMinor: number;
}

/** The same rows as parallel arrays, index i being one recipient: a million recipients without a million objects. */
export interface MessageColumns {
  readonly recipient: readonly string[];
  readonly countryId: ArrayLike<number | null>;
  readonly mcc: ArrayLike<string | null>;
  readonly mnc: ArrayLike<string | null>;
  readonly destination: ArrayLike<string>;
  readonly parts: ArrayLike<number>;
  readonly rateMinor: ArrayLike<number>;
  readonly costMinor: ArrayLike<number>;
}

export type MessageRows = MessageColumns | Iterable<MessageRow>;

/** A chunk as the insert statements bind it: one array per column. */
export interface MessageChunk {
  recipient: string[];
  countryId: (number | null)[];
  mcc: (string | null)[];
  mnc: (string | null)[];
  destination: string[];
  parts: number[];
  rateMinor: number[];
  costMinor: number[];
}

function emptyChunk(): MessageChunk {
  return { recipient: [], countryId: [], mcc: [], mnc: [], destination: [], parts: [], rateMinor: [], costMinor: [] };
}

function isColumns(rows: MessageRows): rows is MessageColumns {
  return !(Symbol.iterator in rows);
}

function sliceOf<T>(column: ArrayLike<T>, start: number, end: number): T[] {
  const out = new Array<T>(end - start);
  for (let i = start; i < end; i++) out[i - start] = column[i] as T;
  return out;
}

/** Yields chunks of at most `size` rows; only one chunk is alive at a time. */
export function* messageChunks(rows: MessageRows, size: number): Generator<MessageChunk> {
  if (isColumns(rows)) {
    const count = rows.recipient.length;
    for (const column of [
      rows.countryId,
      rows.mcc,
      rows.mnc,
      rows.destination,
      rows.parts,
      rows.rateMinor,
      rows.costMinor,
    ]) {
      if (column.length !== count) throw new Error('message columns differ in length');
    }
    for (let start = 0; start < count; start += size) {
      const end = Math.min(count, start + size);
      yield {
        recipient: sliceOf(rows.recipient, start, end),
        countryId: sliceOf(rows.countryId, start, end),
        mcc: sliceOf(rows.mcc, start, end),
        mnc: sliceOf(rows.mnc, start, end),
        destination: sliceOf(rows.destination, start, end),
        parts: sliceOf(rows.parts, start, end),
        rateMinor: sliceOf(rows.rateMinor, start, end),
        costMinor: sliceOf(rows.costMinor, start, end),
      };
    }
    return;
  }
  let chunk = emptyChunk();
  for (const row of rows) {
    chunk.recipient.push(row.recipient);
    chunk.countryId.push(row.countryId);
    chunk.mcc.push(row.mcc);
    chunk.mnc.push(row.mnc);
    chunk.destination.push(row.destination);
    chunk.parts.push(row.parts);
    chunk.rateMinor.push(row.rateMinor);
    chunk.costMinor.push(row.costMinor);
    if (chunk.recipient.length === size) {
      yield chunk;
      chunk = emptyChunk();
    }
  }
  if (chunk.recipient.length > 0) yield chunk;
}
