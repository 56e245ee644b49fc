// What the process and its dispatch worker thread tell each other, and the thread's logger: its lines are written by
// the process's own logger (one output, one redaction, one format), so they travel as messages.
import type { DispatchLogger } from './dispatch/worker.js';

/** What the thread is started with. */
export interface ThreadData {
  /** The buffer of the SQLite write lock the process's connection takes too (ThreadWriteLock). */
  readonly writeLock: SharedArrayBuffer;
}

/** From the process to the thread. */
export type ToThread = { readonly type: 'work' } | { readonly type: 'stop' };

export type LogLevel = 'info' | 'warn' | 'error';

/** From the thread to the process. */
export type FromThread =
  | { readonly type: 'started'; readonly workerId: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'log'; readonly level: LogLevel; readonly fields: object; readonly message: string };

/** pino's level numbers: a line below the configured level is not sent at all. */
const LEVEL_VALUES: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** Marks an error sent as a plain object (a message carries an error's fields, not its class). */
const ERROR_MARK = '__error';

interface SentError {
  readonly [ERROR_MARK]: true;
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly [field: string]: unknown;
}

function sendableError(error: Error): SentError {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') own[key] = value;
  }
  return {
    ...own,
    [ERROR_MARK]: true,
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined && { stack: error.stack }),
  };
}

/** `fields` as a message can carry them: errors (at the top level, where loggers put them) as plain objects. */
export function sendableFields(fields: object): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? sendableError(value) : value;
  }
  return out;
}

/** The fields a message carried, with its errors made errors again (the logger's error serializer expects them). */
export function receivedFields(fields: object): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'object' && value !== null && (value as Record<string, unknown>)[ERROR_MARK] === true) {
      const { [ERROR_MARK]: _, name, message, stack, ...rest } = value as SentError;
      const error = Object.assign(new Error(message), rest);
      error.name = name;
      if (stack !== undefined) error.stack = stack;
      out[key] = error;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** A logger that sends the lines at or above `level` to the process. */
export function postedLogger(level: string, send: (message: FromThread) => void): DispatchLogger {
  const threshold = LEVEL_VALUES[level] ?? LEVEL_VALUES.info;
  const at =
    (name: LogLevel) =>
    (fields: object, message: string): void => {
      if ((LEVEL_VALUES[name] as number) < (threshold as number)) return;
      try {
        send({ type: 'log', level: name, fields: sendableFields(fields), message });
      } catch {
        // A field a message cannot carry (a function, a socket): the line goes with what JSON keeps of it.
        const kept = JSON.parse(
          JSON.stringify(sendableFields(fields), (_key, value) =>
            typeof value === 'bigint' ? value.toString() : value,
          ),
        ) as object;
        send({ type: 'log', level: name, fields: kept, message });
      }
    };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
