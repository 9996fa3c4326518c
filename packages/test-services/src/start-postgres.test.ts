import { createConnection } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPostgres, startPostgres } from './start-postgres';

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

async function query(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let postgres: RunningPostgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(() => postgres?.stop());

  it('runs a private cluster on 127.0.0.1 with an empty database of its own', async () => {
    const url = new URL(postgres.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/sluice');
    const [row] = await query(
      postgres.url,
      "select current_database() as name, current_setting('data_directory') as data, current_setting('fsync') as fsync",
    );
    expect(row?.name).toBe('sluice');
    expect(String(row?.data)).toMatch(/sluice-postgres-[^/]+\/data$/);
    expect(row?.fsync).toBe('off');
    expect(
      await query(postgres.url, "select 1 from pg_tables where schemaname = 'public'"),
    ).toEqual([]);
  });

  it('creates further databases that do not see each other', async () => {
    const first = await postgres.createDatabase();
    const second = await postgres.createDatabase();
    expect(first).not.toBe(second);
    await query(first, 'create table only_in_first (id int)');
    expect(
      await query(second, "select 1 from pg_tables where tablename = 'only_in_first'"),
    ).toEqual([]);
  });

  it('stops the cluster and removes its folder', async () => {
    const other = await startPostgres();
    const [row] = await query(other.url, "select current_setting('data_directory') as data");
    const port = Number(new URL(other.url).port);
    await other.stop();
    expect(await refusesConnections(port)).toBe(true);
    const { existsSync } = await import('node:fs');
    expect(existsSync(String(row?.data))).toBe(false);
  });
});
