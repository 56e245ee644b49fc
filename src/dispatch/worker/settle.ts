// Settlement: a batch's outcomes recorded in the queue, tried again on a database error.
import { type DispatchOutcomes, recordOutcomes } from '../../store/dispatch-queue.js';
import { hasOutcomes } from '../outcomes.js';
import { realSleep } from '../throttle.js';
import type { WorkerContext } from './context.js';
import { errorText } from './log.js';

/** Tries at recording a batch's outcomes before its leases are left to expire (another worker then rechecks). */
const RECORD_TRIES_MAX = 3;

/** Records outcomes, trying again on a database error; gives up (leases then expire and are rechecked) after a few. */
export async function settle(context: WorkerContext, outcomes: DispatchOutcomes): Promise<void> {
  if (!hasOutcomes(outcomes)) return;
  const { db, settings, log } = context;
  for (let attempt = 1; ; attempt++) {
    try {
      const recorded = await recordOutcomes(db, { workerId: settings.workerId, nowUs: context.clockUs() }, outcomes);
      if (recorded.notHeld > 0) {
        log.warn({ notHeld: recorded.notHeld }, 'outcomes for messages whose lease had expired were not recorded');
      }
      return;
    } catch (error) {
      if (attempt >= RECORD_TRIES_MAX) {
        log.error({ err: errorText(error) }, 'could not record outcomes; the leases will expire and be rechecked');
        return;
      }
      await realSleep(50 * attempt);
    }
  }
}
