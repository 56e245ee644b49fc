// The floor for GET /balance on PostgreSQL: bare Fastify and pg with a named (prepared) statement doing what the
// product must do per request (hash the bearer token, read the token and its account in one query, refuse revoked,
// expired or suspended) and nothing else. Run as `node --import tsx bench/minimal/balance-pg.ts` with DATABASE_URL
// and PORT.
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const LOOKUP = `select a.balance_minor, a.currency, a.suspended_at_us, t.revoked_at_us, t.expires_at_us
  from api_tokens t join accounts a on a.id = t.account_id where t.token_sha256 = $1`;
const SIGNS: Record<string, string> = { GBP: '£', EUR: '€', USD: '$' };
type Row = {
  balance_minor: string;
  currency: string;
  suspended_at_us: string | null;
  revoked_at_us: string | null;
  expires_at_us: string | null;
};

const expired = (atUs: number | string | null) => atUs !== null && Number(atUs) <= Date.now() * 1000;

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });
app.get('/balance', async (request, reply) => {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const hash = token ? createHash('sha256').update(token).digest('hex') : '';
  const { rows } = await pool.query<Row>({ name: 'balance', text: LOOKUP, values: [hash] });
  const row = rows[0];
  if (!token || !row || row.revoked_at_us !== null || row.suspended_at_us !== null || expired(row.expires_at_us)) {
    return reply.code(401).send({ message: 'Unauthenticated.' });
  }
  const units = Number(row.balance_minor) / 10_000;
  return { balance: units.toFixed(3), sign: SIGNS[row.currency] ?? '', code: row.currency };
});
app.get('/status', async () => ['OK']);

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
