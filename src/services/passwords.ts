// Password hashing with scrypt (memory-hard), each hash carrying its own salt and parameters; constant-time checks.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly logN: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
  readonly keyBytes: number;
}

/** N = 2^15, r = 8: 32 MiB and tens of milliseconds per hash, in the threadpool (the event loop never waits on it). */
export const PASSWORD_PARAMS: ScryptParams = Object.freeze({ logN: 15, r: 8, p: 1, keyBytes: 64 });

/** What a password may be: long enough to resist guessing, short enough that hashing it stays cheap to ask for. */
export const PASSWORD_CHARS_MIN = 10;
export const PASSWORD_CHARS_MAX = 1024;

const SALT_BYTES = 16;
/** Parameters a stored hash may ask for at most: a damaged or hostile row must not make a check take minutes. */
const LOG_N_MAX = 20;
const R_MAX = 32;
const P_MAX = 16;
const KEY_BYTES_MAX = 256;
const HASH_RE = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is too tight for N = 2^15, r = 8.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, params.keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$ln=15,r=8,p=1$<salt>$<key>` (base64url), with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = PASSWORD_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const m = HASH_RE.exec(stored);
  if (!m) return null;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4] as string, 'base64url');
  const key = Buffer.from(m[5] as string, 'base64url');
  if (logN < 1 || logN > LOG_N_MAX || r < 1 || r > R_MAX || p < 1 || p > P_MAX) return null;
  if (key.length < 16 || key.length > KEY_BYTES_MAX || salt.length < 8) return null;
  return { params: { logN, r, p, keyBytes: key.length }, salt, key };
}

/** Whether `password` is the one `stored` was made from; compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

let dummy: Promise<string> | undefined;

/**
 * A hash of no one's password, made with the current parameters: a login for an unknown email is checked against it,
 * so that it takes as long as one for a known email and the answer's timing does not tell who has an account.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummy;
}

/** A password for a user who gave none (the operator CLI): 20 characters from 120 random bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
