// The installation's own id, drawn once: every id we hand a provider carries it, so two installations never collide.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';

export function installationSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('installation')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('installation_id', 'text', (c) => c.notNull())
        .execute();
      // One row, never rewritten: a new database (a new installation) draws its own.
      await sql`insert into installation (id, installation_id) values (1, ${randomUUID().replaceAll('-', '')})`.execute(
        db,
      );
    },
  };
}
