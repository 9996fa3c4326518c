import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from './free-port';
import { ensureSystemPackage } from './system-package';

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
}

export interface RunningPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`: a database of its own, empty. */
  url: string;
  /** Creates another empty database in the same cluster and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the cluster and removes its folder. */
  stop(): Promise<void>;
}

/** Debian's versioned folders first (newest), then whatever is on the PATH. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const debianRoot = '/usr/lib/postgresql';
  const versions = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = join(debianRoot, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')))
      return { initdb: join(bin, 'initdb'), pgCtl: join(bin, 'pg_ctl') };
  }
  const onPath = (command: string) => {
    const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const initdb = onPath('initdb');
  const pgCtl = onPath('pg_ctl');
  return initdb && pgCtl ? { initdb, pgCtl } : undefined;
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) {
    throw new Error(
      'Running as root, the test cluster must belong to the `postgres` user, which does not exist. Install Debian’s postgresql package (it creates the user) or run the tests as another user.',
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(command: string, args: readonly string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates an empty database on the server `adminUrl` points at; returns its URL. */
export async function createPostgresDatabase(adminUrl: string, name?: string): Promise<string> {
  const database = name ?? `test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // template0: nothing another test put in template1 can leak in, and no lock on it.
    await client.query(`create database ${quoteIdentifier(database)} template template0`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const running = new Set<() => void>();
let exitHookInstalled = false;

/** A crashed test run must not leave a postmaster behind. */
function stopOnExit(stop: () => void): () => void {
  running.add(stop);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const each of running) each();
    });
  }
  return () => running.delete(stop);
}

/**
 * A private PostgreSQL cluster for tests: initdb in a fresh temporary folder (as the
 * `postgres` user when we are root), listening on a free port on 127.0.0.1 with its unix
 * socket in that folder, tuned for speed (no fsync). Debian's `postgresql` is installed with
 * apt-get when missing and we are root. Never touches a system-wide cluster.
 */
export async function startPostgres(options: { database?: string } = {}): Promise<RunningPostgres> {
  const binaries = ensureSystemPackage('postgresql', findPostgresBinaries, 'PostgreSQL');
  const owner = clusterOwner();
  const folder = mkdtempSync(join(tmpdir(), 'sluice-postgres-'));
  const data = join(folder, 'data');
  if (owner) chownSync(folder, owner.uid, owner.gid);
  const asOwner: SpawnOptions = {
    cwd: folder,
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' },
  };
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  try {
    await run(
      binaries.initdb,
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      asOwner,
    );
  } catch (error) {
    removeFolder();
    throw error;
  }

  const settings = [
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${folder}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ];
  let port = 0;
  // The free port can be taken between finding it and binding it: try another one.
  for (let attempt = 1; ; attempt++) {
    port = await findFreePort();
    try {
      await run(
        binaries.pgCtl,
        [
          'start',
          '-D',
          data,
          '-w',
          '-t',
          '120',
          '-l',
          join(folder, 'postgres.log'),
          '-o',
          `-p ${port} ${settings.join(' ')}`,
        ],
        asOwner,
      );
      break;
    } catch (error) {
      if (attempt >= 3) {
        const log = existsSync(join(folder, 'postgres.log'))
          ? readFileSync(join(folder, 'postgres.log'), 'utf8')
          : '';
        removeFolder();
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
      }
    }
  }

  const stopNow = () => {
    spawnSync(binaries.pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w'], {
      ...asOwner,
      stdio: 'ignore',
    });
    removeFolder();
  };
  const forget = stopOnExit(stopNow);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    forget();
    await run(binaries.pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w'], asOwner).catch(
      () => undefined,
    );
    removeFolder();
  };
  try {
    const url = await createPostgresDatabase(adminUrl, options.database ?? 'sluice');
    return { url, createDatabase: (name) => createPostgresDatabase(adminUrl, name), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
