// Liveness of the database for GET /status: one trivial query, any failure meaning "down".
import { sql } from 'kysely';
import type { Db } from './db.js';

export async function databaseReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db.kysely);
    return true;
  } catch {
    return false;
  }
}
