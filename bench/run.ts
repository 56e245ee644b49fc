// `npm run bench [suite…]`: runs the benchmark suites and rewrites their sections of BENCHMARKS.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { BenchRow } from './harness.js';

interface Suite {
  readonly title: string;
  readonly load: () => Promise<{ run(): Promise<BenchRow[]> }>;
}

const SUITES: Readonly<Record<string, Suite>> = {
  gsm: { title: 'GSM 03.38 parts', load: () => import('./gsm.bench.js') },
  numbering: { title: 'Numbering: number → country and operator', load: () => import('./numbering.bench.js') },
  operators: { title: 'Operator prefix lookup', load: () => import('./operators.bench.js') },
  pricing: { title: 'Pricing (quote of a sending)', load: () => import('./pricing.bench.js') },
  dispatch: { title: 'Dispatch (stored sending → every message final)', load: () => import('./dispatch.bench.js') },
  'dispatch-overhead': {
    title: 'Dispatch: cost per message of an HTTP provider route over the sandbox',
    load: () => import('./dispatch-overhead.bench.js'),
  },
  'long-work': {
    title: 'Long work and the event loop (a million-recipient sending)',
    load: () => import('./long-work.bench.js'),
  },
  'request-path': {
    title: 'Per-request path: GET /balance of the product beside a minimal app on the same database',
    load: () => import('./request-path.bench.js'),
  },
  http: { title: 'HTTP API (servers in child processes)', load: () => import('./http.bench.js') },
  load: {
    title: 'Load: hundreds of concurrent connections against the real server',
    load: () => import('./load.bench.js'),
  },
  providers: {
    title: 'Provider adapters against their simulators',
    load: async () => {
      const suites = [
        await import('./providers-infobip-twilio.bench.js'),
        await import('./providers-messente-trumpia.bench.js'),
      ];
      return { run: async () => (await Promise.all(suites.map((s) => s.run()))).flat() };
    },
  },
  handset: {
    title: 'Time to the handset: POST /sendings to submit_sm and to the receipt (SMSC on the npm smpp package)',
    load: () => import('./handset.bench.js'),
  },
  kannel: {
    title: 'A peer end to end: Kannel and SMSgic against the same SMSC (one recipient a request)',
    load: () => import('./kannel.bench.js'),
  },
  'grown-tables': {
    title: 'Grown tables: per-request and per-lease statements at 10,000 and at millions of stored messages',
    load: () => import('./grown-tables.bench.js'),
  },
  'lease-backlog': {
    title: 'A lease among a backlog of one-recipient sendings, at two backlog sizes',
    load: () => import('./lease-backlog.bench.js'),
  },
  'one-recipient': {
    title: 'One-recipient POST /sendings (one-time codes): accepted, handed over, CPU per sending',
    load: () => import('./one-recipient.bench.js'),
  },
  inbound: {
    title: 'Messages from handsets through SMPP (deliver_sm stored, opt-outs applied, answered)',
    load: () => import('./inbound.bench.js'),
  },
  routing: {
    title: 'Dispatch under the route table: 10,000 rules and least-cost routing beside the built-in route',
    load: () => import('./routing.bench.js'),
  },
  suppression: {
    title: 'A million-recipient sending against a million-number suppression list',
    load: () => import('./suppression.bench.js'),
  },
  smpp: { title: 'SMPP submit_sm throughput (SMSC simulator on loopback)', load: () => import('./smpp.bench.js') },
};

const FILE = new URL('../BENCHMARKS.md', import.meta.url);

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

function section(name: string, suite: Suite, rows: BenchRow[], command: string): string {
  const lines = [
    `<!-- bench:${name} -->`,
    `## ${suite.title}`,
    '',
    `Command: \`${command}\` · Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `Machine: ${machine()}`,
    '',
    '| Measure | Result | Target | Notes |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${r.result} | ${r.target || '—'} | ${r.notes ?? ''} |`),
    `<!-- /bench:${name} -->`,
  ];
  return lines.join('\n');
}

function replaceSection(doc: string, name: string, body: string): string {
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  return re.test(doc) ? doc.replace(re, body) : `${doc.trimEnd()}\n\n${body}\n`;
}

const HEADER = `# Benchmarks

Figures from \`npm run bench\` (all suites) or \`npm run bench -- NAME…\` (some), each section with the command, the
machine and the date it was measured. Throughput figures are after warm-up; peak memory is the resident set size of a
fresh process doing only that work.
`;

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const names = requested.length > 0 ? requested : Object.keys(SUITES);
  let doc: string;
  try {
    doc = readFileSync(FILE, 'utf8');
  } catch {
    doc = HEADER;
  }
  for (const name of names) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown bench suite "${name}" (known: ${Object.keys(SUITES).join(', ')})`);
    process.stdout.write(`bench ${name}…\n`);
    const rows = await (await suite.load()).run();
    for (const r of rows) process.stdout.write(`  ${r.name}: ${r.result}${r.notes ? ` (${r.notes})` : ''}\n`);
    doc = replaceSection(doc, name, section(name, suite, rows, `npm run bench -- ${name}`));
    writeFileSync(FILE, doc);
  }
}

await main();
