// The layers' import rules, checked by `npm run lint` (dependency-cruiser). Each rule says why it exists.
// Layers, top to bottom: cli/server → http → services → store → domain; dispatch sits beside services.
const SOURCE = '^src/';
const TESTS = '\\.test\\.ts$';
const DATABASE_PACKAGES = '^(better-sqlite3|pg|pg-[a-z-]+|kysely)$|node_modules/(better-sqlite3|pg|kysely)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved without the other.',
      severity: 'error',
      from: { path: SOURCE },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment:
        'The domain is the rules alone (money, pricing, parts, statuses): no I/O, no database, no server, so that ' +
        'it runs the same in every process, in the browser and in tests without set-up.',
      severity: 'error',
      from: { path: '^src/domain/', pathNot: TESTS },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'database-packages-only-in-store',
      comment: 'The store is the only door to the database: every query is there, scoped and tested on both engines.',
      severity: 'error',
      from: { path: SOURCE, pathNot: ['^src/store/', TESTS] },
      to: { path: DATABASE_PACKAGES, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'store-looks-down',
      comment: 'The store serves every upper floor; importing one of them would tie the database to a caller.',
      severity: 'error',
      from: { path: '^src/store/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(store|domain)/' },
    },
    {
      name: 'provider-adapters-skip-the-store',
      comment:
        "An adapter speaks one provider's wire; what is sent and what a report means for money is the worker's " +
        "and the store's, so an adapter can be tested against its provider alone.",
      severity: 'error',
      from: { path: '^src/dispatch/providers/', pathNot: TESTS },
      to: { path: '^src/store/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'dispatch-beside-services',
      comment:
        "Dispatch is driven by the store's queue, not by requests: it never reaches into the edge or the use cases.",
      severity: 'error',
      from: { path: '^src/dispatch/', pathNot: TESTS },
      to: { path: '^src/(http|services|cli)/' },
    },
    {
      name: 'services-below-the-edge',
      comment:
        'Use cases return values; the edges (HTTP, CLI) render them. A use case that knew its edge could not be ' +
        'shared by the dashboard, the public API and the CLI.',
      severity: 'error',
      from: { path: '^src/services/', pathNot: TESTS },
      to: { path: '^src/(http|cli|dispatch)/' },
    },
    {
      name: 'edge-calls-services',
      comment: 'The HTTP edge reaches the database only through the use cases, so every rule has one home.',
      severity: 'error',
      from: { path: '^src/http/', pathNot: TESTS },
      to: { path: '^src/store/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'cli-calls-services',
      comment:
        'The operator CLI is an edge like HTTP: each operator rule lives in one use case that the dashboard and the ' +
        'API share, so the CLI reaches the store only through services. Allowed: store/db.ts, because a command ' +
        'opens its own database (createDb, from DATABASE_URL) and closes it when done; the schema is migrated through ' +
        'services/bootstrap.ts, never from the CLI. Type-only imports name the values the services return.',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: TESTS },
      to: { path: '^src/store/', pathNot: '^src/store/db\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-imports-the-contract-only',
      comment:
        'The browser bundle may hold only what is safe and small in a browser: the dashboard contract and the ' +
        'domain files it shares (no node modules, no secrets, no server code). recipient-text: Compose and its CSV ' +
        'import read numbers by the same rule as the API hint beside its strict 422, with no import of its own.',
      severity: 'error',
      from: { path: '^web/src/' },
      to: {
        path: '^src/',
        pathNot:
          '^src/(http/dashboard/contract|domain/(gsm|money|money-input|texts|limits|status|sending|ledger|smart-encoding|recipient-text))\\.ts$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|data|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
