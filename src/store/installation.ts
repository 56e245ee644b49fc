// The installation's id: drawn once by the schema, read to make the ids we hand providers unique to this database.
import type { Db } from './db.js';

export async function readInstallationId(db: Db): Promise<string> {
  const row = await db.kysely
    .selectFrom('installation')
    .select('installation_id')
    .where('id', '=', 1)
    .executeTakeFirst();
  if (!row) throw new Error('the installation row is missing: the schema was not migrated');
  return row.installation_id;
}
