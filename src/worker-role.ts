// The dispatch worker's role in a process (or a thread of one): the provider registry, the router over it and the
// worker loop, wired to the database, the work signal and the logger it is given.
import type { Config } from './config.js';
import type { HandOversInFlight } from './dispatch/hand-overs-in-flight.js';
import type { PushedReports } from './dispatch/pushed-reports.js';
import { createRegistry, type ProviderRegistry } from './dispatch/registry.js';
import { createRouter } from './dispatch/router.js';
import { createRoutingBooks } from './dispatch/routing-books.js';
import { type DispatchLogger, startWorker } from './dispatch/worker.js';
import type { NumberingPlan } from './domain/numbering/types.js';
import { type KeywordReplies, receiveInbound, receiveSandboxReply } from './services/inbound.js';
import { answerOwedKeywordReplies } from './services/keyword-replies.js';
import type { Db } from './store/db.js';
import { createTableSandboxUpstream } from './store/sandbox-upstream.js';
import type { WorkSignal } from './store/work-signal.js';

export interface WorkerRoleDeps {
  readonly config: Config;
  readonly db: Db;
  readonly plan: NumberingPlan;
  readonly pushed: PushedReports;
  readonly keywordReplies: KeywordReplies;
  readonly workSignal: Pick<WorkSignal, 'subscribe'>;
  readonly handOvers: HandOversInFlight;
  readonly log: DispatchLogger;
}

export interface WorkerRole {
  readonly workerId: string;
  /** Stops the worker (what is in flight finishes), then closes the providers' connections. */
  stop(): Promise<void>;
}

function registryFor(deps: WorkerRoleDeps): ProviderRegistry {
  const { config, db, plan, pushed, keywordReplies, log } = deps;
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
          keywordReplies,
        );
      },
    },
    publicUrl: config.publicUrl,
    // Reports a provider pushes (SMPP receipts on whichever bind) go straight to the store, whatever process has them.
    // Those arriving together are applied together (one transaction for a burst of receipts).
    reportSink: (provider, report) => pushed(provider, [report]),
    // Messages from handsets (SMPP deliver_sm that are not receipts): routed to the number's account and stored once.
    inboundSink: async (provider, message) => {
      await receiveInbound(db, { provider, ...message }, (fields, text) => log.warn(fields, text), keywordReplies);
    },
    // Told once per change, not on every retry of the bind: the route is down (its circuit opens) until it changes.
    // Only SMPP binds tell it today, hence the words.
    onAccountRefusal: (provider, error) => {
      if (error === null) log.info({ provider }, `${provider} bind accepted again`);
      else log.warn({ provider, err: error }, `${provider} bind refused; retrying with backoff`);
    },
  });
}

/** Opens the providers' connections and starts the worker loop; says which providers are ready. */
export function startWorkerRole(deps: WorkerRoleDeps): WorkerRole {
  const { config, db, log } = deps;
  const registry = registryFor(deps);
  // Connections that bring handsets' messages (SMPP binds) open at once, not with the first message sent.
  for (const name of registry.names()) registry.get(name)?.listen?.();
  for (const name of registry.unavailable) {
    log.warn({ provider: name }, 'provider configured but not supported by this build: its messages are refunded');
  }
  const worker = startWorker({
    db,
    // The operator's route table, with least-cost routing over the cost lists and the delivery quality.
    router: createRouter(registry, undefined, { books: createRoutingBooks(db) }),
    logger: log,
    callbacks: { allowPrivate: config.callbackAllowPrivate },
    workSignal: deps.workSignal,
    handOvers: deps.handOvers,
    // Keyword answers a process stopped before sending (stored with their keyword as owed): sent once, late.
    owedKeywordReplies: (nowUs) =>
      answerOwedKeywordReplies(db, deps.keywordReplies, (fields, text) => log.warn(fields, text), nowUs),
  });
  log.info(
    { worker: worker.workerId, providers: registry.names() },
    registry.realProviders().length > 0
      ? 'providers ready'
      : config.sandboxDelivery
        ? 'no provider configured: the sandbox delivers at the ratios of SANDBOX_DELIVERY_FILE'
        : 'no provider configured: the sandbox delivers everything',
  );
  return {
    workerId: worker.workerId,
    async stop() {
      await worker.stop();
      await registry.close();
    },
  };
}
