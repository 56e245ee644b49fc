// Composition root: configuration, database, numbering, services and the HTTP server wired together and started.
import { Redis } from 'ioredis';
import { type Config, loadConfig, providerNotes } from './config.js';
import { loadNumberingPlan } from './data/numbering.js';
import { HandOversInFlight } from './dispatch/hand-overs-in-flight.js';
import { type PushedReports, pushedReports } from './dispatch/pushed-reports.js';
import { createRegistry, PROVIDERS, type ProviderRegistry, providerCatalog, settingsOf } from './dispatch/registry.js';
import { createRouter } from './dispatch/router.js';
import { createRoutingBooks } from './dispatch/routing-books.js';
import { startWorker, type Worker } from './dispatch/worker.js';
import type { NumberingPlan } from './domain/numbering/types.js';
import type { SendingType } from './domain/sending.js';
import { buildApp } from './http/app.js';
import { BatchedLines } from './http/logging.js';
import { DASHBOARD_PREFIX } from './http/security-headers.js';
import { createApiServices } from './services/api-services.js';
import { bootstrap } from './services/bootstrap.js';
import { createDashboardServices } from './services/dashboard.js';
import { type KeywordReplies, receiveInbound, receiveSandboxReply } from './services/inbound.js';
import { answerOwedKeywordReplies, createKeywordReplies } from './services/keyword-replies.js';
import { createDb, type Db } from './store/db.js';
import { readMetricsViews } from './store/metrics-views.js';
import { createTableSandboxUpstream } from './store/sandbox-upstream.js';
import { openWorkSignal } from './store/work-signal.js';

export interface Roles {
  readonly api: boolean;
  readonly worker: boolean;
}

/** Sending types with a provider behind them: `default` always (the platform routes it), others when configured. */
export function availableTypes(config: Config): ReadonlySet<SendingType> {
  const types = new Set<SendingType>(['default']);
  for (const { name, sendingType } of PROVIDERS) {
    if (sendingType !== undefined && settingsOf(config.providers, name) !== undefined) types.add(sendingType);
  }
  return types;
}

function registryFor(
  config: Config,
  db: Db,
  plan: NumberingPlan,
  pushed: PushedReports,
  replies: KeywordReplies,
  log: { warn(fields: object, message: string): void; info(fields: object, message: string): void },
): ProviderRegistry {
  return createRegistry({
    clockUs: () => db.nowUs(),
    providers: config.providers,
    // Table-backed, so that what the sandbox accepted survives restarts and is shared by every worker process.
    sandbox: {
      upstream: createTableSandboxUpstream(db),
      reportDelayMs: config.sandboxReportDelayMs,
      ...(config.sandboxDelivery && {
        delivery: {
          profile: config.sandboxDelivery,
          destinationOf: (recipient: string) => plan.resolve(recipient),
        },
      }),
      // The scripted handsets' replies (0006: STOP, 0007: Hello), to the account that sent the message they answer.
      onReply: async (reply) => {
        await receiveSandboxReply(
          db,
          { provider: 'sandbox', ...reply },
          (fields, text) => log.warn(fields, text),
          replies,
        );
      },
    },
    publicUrl: config.publicUrl,
    // Reports a provider pushes (SMPP receipts on whichever bind) go straight to the store, whatever process has them.
    // Those arriving together are applied together (one transaction for a burst of receipts).
    reportSink: (provider, report) => pushed(provider, [report]),
    // Messages from handsets (SMPP deliver_sm that are not receipts): routed to the number's account and stored once.
    inboundSink: async (provider, message) => {
      await receiveInbound(db, { provider, ...message }, (fields, text) => log.warn(fields, text), replies);
    },
    // Told once per change, not on every retry of the bind: the route is down (its circuit opens) until it changes.
    // Only SMPP binds tell it today, hence the words.
    onAccountRefusal: (provider, error) => {
      if (error === null) log.info({ provider }, `${provider} bind accepted again`);
      else log.warn({ provider, err: error }, `${provider} bind refused; retrying with backoff`);
    },
  });
}

export async function runServer(roles: Roles, config: Config = loadConfig()): Promise<void> {
  const plan = loadNumberingPlan();
  // Idle connections that break (the server restarted, the network cut) are dropped by the pool and told here.
  let poolError: (error: Error) => void = () => {};
  const db = await createDb(config.databaseUrl, {
    connectTimeoutMs: config.dbConnectTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    onPoolError: (error) => poolError(error),
  });
  const report = await bootstrap(db, plan);
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;

  // Its LISTEN connection opens with the worker's subscription, after `app` exists.
  const workSignal = openWorkSignal(db, config.databaseUrl, {
    warn: (fields, message) => app.log.warn(fields, message),
  });
  const api = createApiServices({
    db,
    plan,
    availableTypes: availableTypes(config),
    providers: providerCatalog(config.providers),
    allowPrivateCallbacks: config.callbackAllowPrivate,
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
        availableTypes: availableTypes(config),
        providers: providerCatalog(config.providers),
        allowPrivateCallbacks: config.callbackAllowPrivate,
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

  let worker: Worker | undefined;
  let registry: ProviderRegistry | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await worker?.stop();
    await workSignal.close();
    await registry?.close();
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
  if (roles.worker) {
    registry = registryFor(config, db, plan, pushed, keywordReplies, app.log);
    // Connections that bring handsets' messages (SMPP binds) open at once, not with the first message sent.
    for (const name of registry.names()) registry.get(name)?.listen?.();
    for (const name of registry.unavailable) {
      app.log.warn(
        { provider: name },
        'provider configured but not supported by this build: its messages are refunded',
      );
    }
    worker = startWorker({
      db,
      // The operator's route table, with least-cost routing over the cost lists and the delivery quality.
      router: createRouter(registry, undefined, { books: createRoutingBooks(db) }),
      logger: app.log,
      callbacks: { allowPrivate: config.callbackAllowPrivate },
      workSignal,
      handOvers,
      // Keyword answers a process stopped before sending (stored with their keyword as owed): sent once, late.
      owedKeywordReplies: (nowUs) =>
        answerOwedKeywordReplies(db, keywordReplies, (fields, text) => app.log.warn(fields, text), nowUs),
    });
    app.log.info(
      { worker: worker.workerId, providers: registry.names() },
      registry.realProviders().length > 0
        ? 'providers ready'
        : config.sandboxDelivery
          ? 'no provider configured: the sandbox delivers at the ratios of SANDBOX_DELIVERY_FILE'
          : 'no provider configured: the sandbox delivers everything',
    );
  }
}
