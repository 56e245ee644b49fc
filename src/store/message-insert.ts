// Bulk insert of a sending's message rows: unnest() arrays on PostgreSQL, multi-row VALUES on SQLite.
import { CompiledQuery, sql, type Transaction } from 'kysely';
import type { DialectName } from './db.js';
import type { MessageChunk, MessageRow } from './message-rows.js';
import type { Schema } from './schema.js';
import { assertInt } from './values.js';

/**
 * Rows per statement. PostgreSQL binds one array per column whatever the row count, so a statement carries many rows;
 * SQLite binds each value (8 a row, at most 32766 a statement) and prepares each statement afresh.
 */
export const MESSAGE_ROWS_PER_INSERT: Readonly<Record<DialectName, number>> = { postgres: 10_000, sqlite: 2_000 };

const COLUMNS =
  'sending_id, created_at_us, updated_at_us, recipient, country_id, mcc, mnc, destination, parts, rate_minor, cost_minor';

const sqliteStatements = new Map<string, string>();

/** Rows up to which every value of a SQLite insert is bound (11 a row), the text then shared by all sendings. */
const SQLITE_BOUND_ROWS_MAX = 16;
const sqliteBoundStatements: string[] = [];

function sqliteBoundInsert(rows: number): string {
  let text = sqliteBoundStatements[rows];
  if (text === undefined) {
    const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
    text = `insert into messages (${COLUMNS}) values ${new Array(rows).fill(row).join(', ')}`;
    sqliteBoundStatements[rows] = text;
  }
  return text;
}

function sqliteInsert(sendingId: number, nowUs: number, rows: number): string {
  // The ids and the time are integers checked by the caller, so they are written into the text, which saves three
  // bound values a row; the statement text is reused for every full chunk of the same sending.
  const key = `${sendingId}:${nowUs}:${rows}`;
  let text = sqliteStatements.get(key);
  if (text === undefined) {
    const row = `(${sendingId}, ${nowUs}, ${nowUs}, ?, ?, ?, ?, ?, ?, ?, ?)`;
    text = `insert into messages (${COLUMNS}) values ${new Array(rows).fill(row).join(', ')}`;
    sqliteStatements.clear();
    sqliteStatements.set(key, text);
  }
  return text;
}

export async function insertMessageChunk(
  trx: Transaction<Schema>,
  dialect: DialectName,
  sendingId: number,
  nowUs: number,
  chunk: MessageChunk,
): Promise<void> {
  assertInt(sendingId, 'sendingId', 1);
  assertInt(nowUs, 'nowUs', 0);
  const rows = chunk.recipient.length;
  if (rows === 0) return;
  if (dialect === 'postgres') {
    await sql`
      insert into messages (${sql.raw(COLUMNS)})
      select ${sendingId}::int8, ${nowUs}::int8, ${nowUs}::int8, u.*
      from unnest(${chunk.recipient}::text[], ${chunk.countryId}::int4[], ${chunk.mcc}::text[], ${chunk.mnc}::text[],
                  ${chunk.destination}::text[], ${chunk.parts}::int4[], ${chunk.rateMinor}::int8[],
                  ${chunk.costMinor}::int8[]) as u`.execute(trx);
    return;
  }
  if (rows <= SQLITE_BOUND_ROWS_MAX) {
    // A small sending (a one-time code): every value bound, so the statement text depends on the row count alone and
    // the prepared statement is reused from sending to sending instead of prepared afresh for each.
    const bound = new Array<unknown>(rows * 11);
    for (let i = 0, v = 0; i < rows; i++) {
      bound[v++] = sendingId;
      bound[v++] = nowUs;
      bound[v++] = nowUs;
      bound[v++] = chunk.recipient[i];
      bound[v++] = chunk.countryId[i];
      bound[v++] = chunk.mcc[i];
      bound[v++] = chunk.mnc[i];
      bound[v++] = chunk.destination[i];
      bound[v++] = chunk.parts[i];
      bound[v++] = chunk.rateMinor[i];
      bound[v++] = chunk.costMinor[i];
    }
    await trx.executeQuery(CompiledQuery.raw(sqliteBoundInsert(rows), bound));
    return;
  }
  const values = new Array<unknown>(rows * 8);
  for (let i = 0, v = 0; i < rows; i++) {
    values[v++] = chunk.recipient[i];
    values[v++] = chunk.countryId[i];
    values[v++] = chunk.mcc[i];
    values[v++] = chunk.mnc[i];
    values[v++] = chunk.destination[i];
    values[v++] = chunk.parts[i];
    values[v++] = chunk.rateMinor[i];
    values[v++] = chunk.costMinor[i];
  }
  await trx.executeQuery(CompiledQuery.raw(sqliteInsert(sendingId, nowUs, rows), values));
}

/** Suppressed rows a statement writes (13 bound values a row, far below either engine's limit). */
const SUPPRESSED_ROWS_PER_INSERT = 1_000;

/**
 * A sending's suppressed recipients as messages already final (`suppressed`, final at `nowUs`): never leased, never
 * accepted, cost 0, so neither the reservation nor settlement ever counts them.
 */
export async function insertSuppressedMessages(
  trx: Transaction<Schema>,
  sendingId: number,
  nowUs: number,
  rows: readonly MessageRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += SUPPRESSED_ROWS_PER_INSERT) {
    const values = rows.slice(start, start + SUPPRESSED_ROWS_PER_INSERT).map((row) => {
      if (row.costMinor !== 0) throw new Error(`a suppressed message of sending ${sendingId} has a cost`);
      return {
        sending_id: sendingId,
        recipient: row.recipient,
        country_id: row.countryId,
        mcc: row.mcc,
        mnc: row.mnc,
        destination: row.destination,
        parts: row.parts,
        rate_minor: row.rateMinor,
        cost_minor: 0,
        status: 'suppressed',
        final_at_us: nowUs,
        created_at_us: nowUs,
        updated_at_us: nowUs,
      };
    });
    await trx.insertInto('messages').values(values).execute();
  }
}
