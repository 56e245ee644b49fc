// The floor for GET /balance on SQLite: bare Fastify and better-sqlite3 doing what the product must do per request
// (hash the bearer token, read the token and its account in one query, refuse revoked, expired or suspended) and
// nothing else. Run as `node --import tsx bench/minimal/balance-sqlite.ts` with DATABASE_URL=sqlite:PATH and PORT.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const path = (process.env.DATABASE_URL ?? '').replace(/^sqlite:/, '');
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const lookup = db.prepare(
  `select a.balance_minor, a.currency, a.suspended_at_us, t.revoked_at_us, t.expires_at_us
   from api_tokens t join accounts a on a.id = t.account_id where t.token_sha256 = ?`,
);
const SIGNS: Record<string, string> = { GBP: '£', EUR: '€', USD: '$' };
type Row = {
  balance_minor: number;
  currency: string;
  suspended_at_us: number | null;
  revoked_at_us: number | null;
  expires_at_us: number | null;
};

const expired = (atUs: number | string | null) => atUs !== null && Number(atUs) <= Date.now() * 1000;

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });
app.get('/balance', async (request, reply) => {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const row = token && (lookup.get(createHash('sha256').update(token).digest('hex')) as Row | undefined);
  if (!row || row.revoked_at_us !== null || row.suspended_at_us !== null || expired(row.expires_at_us)) {
    return reply.code(401).send({ message: 'Unauthenticated.' });
  }
  const units = row.balance_minor / 10_000;
  return { balance: units.toFixed(3), sign: SIGNS[row.currency] ?? '', code: row.currency };
});
app.get('/status', async () => ['OK']);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
