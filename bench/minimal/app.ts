// The floor for POST /sendings of one recipient: bare Fastify doing only the essential work on the same schema — the
// token's account, then one transaction inserting the sending, its message and the ledger's reservation.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';

const url = process.env.DATABASE_URL ?? '';
const sqlite = url.startsWith('sqlite:') ? new Database(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')) : null;
const pool = sqlite ? null : new pg.Pool({ connectionString: url, max: 10 });
sqlite?.pragma('journal_mode = WAL');
sqlite?.pragma('synchronous = NORMAL');
sqlite?.pragma('foreign_keys = ON');
// SQLite's `?` are positional: a `$n` used twice is bound twice.
const order = new Map<string, number[]>();
const q = (text: string) => {
  if (!sqlite) return text;
  const sqliteText = text.replace(/\$\d+/g, '?');
  order.set(
    sqliteText,
    [...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]) - 1),
  );
  return sqliteText;
};
const args = (text: string, values: unknown[]) => (order.get(text) ?? []).map((i) => values[i]);
const TOKEN = q(`select a.id from api_tokens t join accounts a on a.id = t.account_id where t.token_sha256 = $1`);
const DEBIT = q(`update accounts set balance_minor = balance_minor - $1, updated_at_us = $2
  where id = $3 and balance_minor >= $1 returning balance_minor`);
const SENDING = q(`insert into sendings (account_id, text, sender, type, status, scheduled_at_us, created_at_us,
  updated_at_us, recipients_count, sms_parts_total, encoding, parts_per_message, subtotal_minor, tax_minor, total_minor)
  values ($1, $2, $3, 'default', 'Pending', $4, $4, $4, 1, 1, 'GSM-7', 1, $5, 0, $5) returning id`);
const MESSAGE = q(`insert into messages (sending_id, recipient, destination, parts, rate_minor, cost_minor,
  created_at_us, updated_at_us) values ($1, $2, 'bench', 1, $3, $3, $4, $4)`);
const LEDGER = q(`insert into ledger_entries (account_id, kind, amount_minor, balance_after_minor, sending_id,
  created_at_us) values ($1, 'reservation', $2, $3, $4, $5)`);

async function store(token: string, body: { message: string; recipients: string[]; sender: string }) {
  const sha = createHash('sha256').update(token).digest('hex');
  const now = Date.now() * 1000;
  const cost = 450;
  if (sqlite) {
    const account = sqlite.prepare(TOKEN).get(args(TOKEN, [sha])) as { id: number } | undefined;
    if (!account) return null;
    return sqlite.transaction(() => {
      const { balance_minor } = sqlite.prepare(DEBIT).get(args(DEBIT, [cost, now, account.id])) as {
        balance_minor: number;
      };
      const { id } = sqlite.prepare(SENDING).get(args(SENDING, [account.id, body.message, body.sender, now, cost])) as {
        id: number;
      };
      sqlite.prepare(MESSAGE).run(args(MESSAGE, [id, body.recipients[0], cost, now]));
      sqlite.prepare(LEDGER).run(args(LEDGER, [account.id, -cost, balance_minor, id, now]));
      return id;
    })();
  }
  const client = await (pool as pg.Pool).connect();
  try {
    const account = (await client.query(TOKEN, [sha])).rows[0];
    if (!account) return null;
    await client.query('begin');
    const { balance_minor } = (await client.query(DEBIT, [cost, now, account.id])).rows[0];
    const { id } = (await client.query(SENDING, [account.id, body.message, body.sender, now, cost])).rows[0];
    await client.query(MESSAGE, [id, body.recipients[0], cost, now]);
    await client.query(LEDGER, [account.id, -cost, balance_minor, id, now]);
    await client.query('commit');
    return Number(id);
  } finally {
    client.release();
  }
}

const app = Fastify({ logger: false });
app.post('/sendings', async (request, reply) => {
  const id = await store(String(request.headers.authorization).slice(7), request.body as never);
  return id === null ? reply.code(401).send({ error: 'token' }) : { sending_id: id };
});
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
