// How the worker speaks: a pino-style logger, the text of an error, and what it says when a provider's circuit moves.
import type { CircuitChange } from '../provider-health.js';

/** Structured logging in pino's calling convention (a pino or Fastify logger fits). */
export interface DispatchLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const SILENT: DispatchLogger = { info() {}, warn() {}, error() {} };

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function logCircuitChange(log: DispatchLogger, change: CircuitChange): void {
  const fields = {
    provider: change.provider,
    from: change.from,
    to: change.to,
    reason: change.reason,
    ...(change.coolDownMs !== undefined && { coolDownMs: change.coolDownMs }),
    ...(change.lastError && { lastError: change.lastError }),
  };
  if (change.to === 'open') {
    log.warn(fields, 'provider circuit open: default routes skip it, its own type waits');
  } else if (change.to === 'half-open') {
    log.info(fields, 'provider circuit half-open: a probe batch goes next');
  } else {
    log.info(fields, 'provider circuit closed: traffic resumes');
  }
}
