// Reads integers back from either driver (pg hands BIGINT over as text) without ever going through a float.

/** A whole number read from the database (an id, a count, microseconds); throws when a JS number cannot hold it. */
export function intFrom(value: number | bigint | string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an exact integer`);
    return value;
  }
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) throw new RangeError(`"${value}" is not an integer`);
  const big = BigInt(value);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${value} is out of range`);
  }
  return Number(big);
}

export function intOrNull(value: number | bigint | string | null): number | null {
  return value === null ? null : intFrom(value);
}

/** Asserts a value the store is about to write as an integer column: a bug upstream otherwise. */
export function assertInt(value: number, what: string, min = Number.MIN_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${what} must be an integer >= ${min}, got ${value}`);
}

/** Page arithmetic shared by the listings: page counts from 1. */
export function pageWindow(page: { readonly page: number; readonly perPage: number }, perPageMax: number) {
  assertInt(page.page, 'page', 1);
  assertInt(page.perPage, 'perPage', 1);
  if (page.perPage > perPageMax) throw new RangeError(`perPage must be at most ${perPageMax}`);
  return { limit: page.perPage, offset: (page.page - 1) * page.perPage };
}
