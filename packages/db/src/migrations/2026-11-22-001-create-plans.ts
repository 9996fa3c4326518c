import { type Kysely, sql } from 'kysely';
import { columnTypes } from './column-types';

// Frozen in time: takes Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
  const types = columnTypes(db);
  await db.schema
    .createTable('plan_inputs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('goals', 'text', (column) => column.notNull())
    .addColumn('preferences', 'text', (column) => column.notNull().defaultTo('{}'))
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('input_id', 'text', (column) =>
      column.notNull().references('plan_inputs.id').onDelete('cascade'),
    )
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .check(sql`status in ('generating', 'completed', 'failed', 'cancelled', 'partial')`),
    )
    .addColumn('status_reason', 'text')
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('partial_content', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('content', 'text')
    .addColumn('plan_json', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('error_retryable', 'integer')
    .addColumn('input_tokens', 'integer')
    .addColumn('output_tokens', 'integer')
    .addColumn('cost', types.real)
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('generation_started_at', types.timestamp)
    .addColumn('completed_at', types.timestamp)
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createIndex('plans_created_at_id')
    .on('plans')
    .columns(['created_at desc', 'id desc'])
    .execute();
  await db.schema.createIndex('plans_status').on('plans').column('status').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('plans').execute();
  await db.schema.dropTable('plan_inputs').execute();
}
