// Callback delivery: due customer status callbacks POSTed a few at a time, each result recorded.
import { CALLBACK_BATCH_MAX } from '../../domain/limits.js';
import { US_PER_MS } from '../../domain/time.js';
import { claimCallbacks, recordCallbackResults } from '../../store/callbacks.js';
import { postCallback } from '../callbacks.js';
import { chunked } from './chunks.js';
import type { WorkerContext } from './context.js';

/** POSTs due customer callbacks, a few at a time, and records each result. */
export async function deliverCallbacks(context: WorkerContext): Promise<number> {
  const { db, settings, clockUs } = context;
  const policy = settings.callbackPolicy;
  const claimUs = Math.round((policy.timeoutMs * 2 + 1_000) * US_PER_MS);
  const due = await claimCallbacks(db, { nowUs: clockUs(), limit: CALLBACK_BATCH_MAX, claimUs });
  if (due.length === 0) return 0;
  const results = [];
  for (const chunk of chunked(due, settings.callbackConcurrency)) {
    results.push(...(await Promise.all(chunk.map((d) => postCallback(d, policy, clockUs, settings.fetch)))));
  }
  await recordCallbackResults(db, clockUs(), results);
  const abandoned = results.filter((r) => !r.delivered && r.retryAtUs === null).length;
  if (abandoned > 0) context.log.warn({ abandoned }, 'status callbacks abandoned after their last attempt');
  return due.length;
}

/**
 * Callbacks delivered beside the worker's rounds, one delivery at a time: a round starts one unless one is still
 * going. A failed delivery goes to `failed`; `settled` waits for the one going, if any.
 */
export class CallbacksInBackground {
  readonly #deliver: () => Promise<unknown>;
  readonly #failed: (error: unknown) => void;
  #going: Promise<unknown> | null = null;

  constructor(deliver: () => Promise<unknown>, failed: (error: unknown) => void) {
    this.#deliver = deliver;
    this.#failed = failed;
  }

  start(): void {
    if (this.#going !== null) return;
    this.#going = this.#deliver()
      .catch((error) => this.#failed(error))
      .finally(() => {
        this.#going = null;
      });
  }

  async settled(): Promise<void> {
    await this.#going;
  }
}
