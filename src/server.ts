// Composition root: configuration, database, numbering, services and the HTTP server wired together and started.
import { Redis } from 'ioredis';
import { availableTypes, type Config, loadConfig, providerNotes, serviceSettings } from './config.js';
import { loadNumberingPlan } from './data/numbering.js';
import { HandOversInFlight } from './dispatch/hand-overs-in-flight.js';
import { pushedReports } from './dispatch/pushed-reports.js';
import { buildApp } from './http/app.js';
import { BatchedLines } from './http/logging.js';
import { DASHBOARD_PREFIX } from './http/security-headers.js';
import { createApiServices } from './services/api-services.js';
import { bootstrap } from './services/bootstrap.js';
import { createDashboardServices } from './services/dashboard.js';
import { receiveInbound } from './services/inbound.js';
import { createKeywordReplies } from './services/keyword-replies.js';
import { createDb, ThreadWriteLock } from './store/db.js';
import { readMetricsViews } from './store/metrics-views.js';
import { openWorkSignal, type WorkSignal } from './store/work-signal.js';
import { startWorkerRole, type WorkerRole } from './worker-role.js';
import { startWorkerThread, type WorkerThread, workerThreadPossible } from './worker-thread.js';

export { availableTypes };

export interface Roles {
  readonly api: boolean;
  readonly worker: boolean;
}

export async function runServer(roles: Roles, config: Config = loadConfig()): Promise<void> {
  const plan = loadNumberingPlan();
  // Both roles in one process: the worker runs on a thread of its own, so that it and the API use two cores; on SQLite
  // their connections take the file's write lock in turn through this lock.
  const onThread = roles.api && roles.worker && workerThreadPossible(config.databaseUrl);
  const threadWriteLock = onThread ? new ThreadWriteLock() : undefined;
  // Idle connections that break (the server restarted, the network cut) are dropped by the pool and told here.
  let poolError: (error: Error) => void = () => {};
  const db = await createDb(config.databaseUrl, {
    connectTimeoutMs: config.dbConnectTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    onPoolError: (error) => poolError(error),
    ...(threadWriteLock && { threadWriteLock }),
  });
  const report = await bootstrap(db, plan);
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;

  // Its LISTEN connection opens with the worker's subscription, after `app` exists.
  const signal = openWorkSignal(db, config.databaseUrl, {
    warn: (fields, message) => app.log.warn(fields, message),
  });
  // A worker on a thread of this process is told by message (it has a database connection, and signal, of its own).
  let wakeThread: (() => void) | undefined;
  const workSignal: WorkSignal = {
    notify() {
      signal.notify();
      wakeThread?.();
    },
    subscribe: (wake) => signal.subscribe(wake),
    close: () => signal.close(),
  };
  const api = createApiServices({
    db,
    plan,
    ...serviceSettings(config),
    workSignal,
  });
  const keywordReplies = createKeywordReplies(db, api, (fields, text) => app.log.warn(fields, text));
  // Delivery reports pushed by providers (SMPP receipts, webhooks): applied in groups as they come together; on
  // PostgreSQL once this process's hand-overs to that provider in flight have stored their outcomes (most reports name
  // their messages).
  const handOvers = new HandOversInFlight();
  const pushed = pushedReports(db, handOvers);
  const notes = providerNotes(config);
  // Standard output, each turn's lines in one write; what is pending when the process ends is written before it does.
  const logLines = new BatchedLines(process.stdout);
  process.once('exit', () => logLines.flush());
  // A reader of the output that went away (EPIPE) ends the log, not the server, as pino's own destination does.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    logLines.close();
  });
  const app = await buildApp({
    providers: { enabled: notes.enabled, warnings: notes.warnings },
    services: api,
    rateLimitPerMinute: config.rateLimitPerMinute,
    calculateRateLimitPerMinute: config.calculateRateLimitPerMinute,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(redis && { redis }),
    logger: { level: config.logLevel, stream: logLines },
    trustProxy: config.trustProxy,
    timeouts: config.http,
    metrics: { token: config.metricsToken, views: () => readMetricsViews(db), clockUs: () => db.nowUs() },
    dashboard: {
      services: createDashboardServices({
        db,
        plan,
        ...serviceSettings(config),
        api,
        workSignal,
      }),
    },
    webhooks: {
      ingest: pushed,
      receive: async (provider, messages) => {
        for (const message of messages) {
          await receiveInbound(
            db,
            { provider, ...message, receivedAtUs: db.nowUs() },
            (fields, text) => app.log.warn(fields, text),
            keywordReplies,
          );
        }
      },
      providers: config.providers,
      publicUrl: config.publicUrl,
    },
  });
  poolError = (error) => app.log.warn({ err: { message: error.message } }, 'database connection lost; reconnecting');
  let redisDown = false;
  redis?.on('error', (error) => {
    if (!redisDown) app.log.warn({ err: error }, 'Redis unreachable: rate limits are not enforced until it is back');
    redisDown = true;
  });
  redis?.on('ready', () => {
    if (redisDown) app.log.info('Redis reachable again: shared rate limits restored');
    redisDown = false;
  });
  if (report.migrations.length > 0) app.log.info({ migrations: report.migrations }, 'database schema upgraded');
  if (report.seededRates > 0) app.log.info({ rates: report.seededRates }, 'sample default price list imported');
  if (report.convertedLists.length > 0) {
    app.log.info({ currencies: report.convertedLists }, 'default price lists converted from the base list');
  }
  if (report.seededSender) app.log.info({ sender: report.seededSender }, 'platform default sender added');
  if (report.seededCosts.length > 0) app.log.info({ providers: report.seededCosts }, 'sample cost lists imported');

  let worker: WorkerRole | WorkerThread | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await worker?.stop();
    await workSignal.close();
    redis?.disconnect();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  if (roles.api) {
    await app.listen({ host: config.host, port: config.port });
    const origin = `http://${config.host}:${config.port}`;
    app.log.info(`SMSgic API on ${origin}, dashboard on ${origin}${DASHBOARD_PREFIX}/ (database: ${db.dialect})`);
  }
  app.log.info({ providers: notes.enabled }, `providers enabled: ${notes.enabled.join(', ') || 'none (the sandbox)'}`);
  for (const warning of notes.warnings) app.log.warn(warning);
  if (threadWriteLock) {
    const thread = await startWorkerThread(app.log, threadWriteLock, (error) => {
      app.log.fatal({ err: error }, 'the dispatch worker thread failed: stopping');
      process.exit(1);
    });
    wakeThread = thread.wake;
    worker = thread;
  } else if (roles.worker) {
    worker = startWorkerRole({ config, db, plan, pushed, keywordReplies, workSignal, handOvers, log: app.log });
  }
}
