import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .addColumn('continued_from', 'text', (column) =>
      column.references('plans.id').onDelete('set null'),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('plans').dropColumn('continued_from').execute();
}
