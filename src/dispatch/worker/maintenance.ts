// Maintenance, every maintenanceIntervalMs: interrupted cancels finished, kept reports swept, finished rows pruned,
// keyword answers still owed sent.
import { FINISHED_ROWS_KEEP_MS, PENDING_REPORT_KEEP_MS } from '../../domain/limits.js';
import { US_PER_MS } from '../../domain/time.js';
import { sweepKeptReports } from '../../store/reports.js';
import { pruneFinishedRows } from '../../store/retention.js';
import { finishInterruptedCancels } from '../../store/sending-cancel.js';
import type { WorkerContext } from './context.js';

/** Rows the periodic sweeps handle per run. */
const SWEEP_BATCH = 1_000;

/**
 * Every maintenanceIntervalMs: kept reports whose id has arrived by now are applied, old ones forgotten; finished
 * callbacks and sandbox submissions past their keeping time are deleted, a batch at a time; a cancel whose process
 * died before all its messages were ended is finished (the first call does this too); keyword answers a process did
 * not get to send are sent.
 */
export function createMaintenance(context: WorkerContext): () => Promise<void> {
  let lastMaintenanceUs = Number.NEGATIVE_INFINITY;
  return async () => {
    const nowUs = context.clockUs();
    if (nowUs - lastMaintenanceUs < context.settings.maintenanceUs) return;
    lastMaintenanceUs = nowUs;
    await maintain(context, nowUs);
  };
}

async function maintain(context: WorkerContext, nowUs: number): Promise<void> {
  const { db, log } = context;
  const ended = await finishInterruptedCancels(db);
  if (ended > 0) log.info({ ended }, 'messages of an interrupted cancel ended');
  const swept = await sweepKeptReports(db, nowUs, { keepUs: PENDING_REPORT_KEEP_MS * US_PER_MS, limit: SWEEP_BATCH });
  if (swept.applied + swept.dropped > 0) {
    log.info({ keptApplied: swept.applied, keptDropped: swept.dropped }, 'kept delivery reports swept');
  }
  const pruned = await pruneFinishedRows(db, {
    beforeUs: Math.max(0, nowUs - FINISHED_ROWS_KEEP_MS * US_PER_MS),
    limit: SWEEP_BATCH,
  });
  if (pruned.callbacks + pruned.sandboxSubmissions > 0) log.info(pruned, 'finished rows past keeping deleted');
  const owed = await context.owedKeywordReplies(nowUs);
  if (owed > 0) log.info({ owed }, 'keyword answers left owed taken up');
}
