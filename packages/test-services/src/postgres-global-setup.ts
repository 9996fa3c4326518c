import type { TestProject } from 'vitest/node';
import { startPostgres } from './start-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The private cluster's first database; pass it to createPostgresDatabase for your own. */
    postgresUrl: string;
  }
}

/**
 * A vitest globalSetup: one private PostgreSQL cluster per test run (starting one costs
 * seconds, a database in it a fraction of one). Test files read its URL with
 * `inject('postgresUrl')` and create their own databases in it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startPostgres();
  project.provide('postgresUrl', postgres.url);
  return () => postgres.stop();
}
