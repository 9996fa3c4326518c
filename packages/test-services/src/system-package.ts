import { spawnSync } from 'node:child_process';

export class MissingServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingServiceError';
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function aptGet(args: readonly string[]): boolean {
  const result = spawnSync(
    'apt-get',
    // Another apt-get (a colleague's test run) may hold the lock: wait for it rather than fail.
    ['-o', 'DPkg::Lock::Timeout=300', ...args],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
  return result.status === 0;
}

/**
 * Returns what `find` finds, installing Debian's `debianPackage` with apt-get first when it
 * finds nothing and we are root (as scripts/ensure-chromium.mjs does for the browser tests).
 * Otherwise throws a MissingServiceError that says how to install it.
 */
export function ensureSystemPackage<T>(
  debianPackage: string,
  find: () => T | undefined,
  description: string,
): T {
  const found = find();
  if (found !== undefined) return found;
  const advice = `Tests need ${description}: run \`sudo apt-get install -y ${debianPackage}\`.`;
  if (!isRoot() || !commandExists('apt-get')) throw new MissingServiceError(advice);
  process.stderr.write(`Tests need ${description}; installing Debian's ${debianPackage}.\n`);
  if (!aptGet(['install', '-y', '--no-install-recommends', debianPackage])) {
    // The package lists may be missing (a fresh container) or stale.
    if (!aptGet(['update']) || !aptGet(['install', '-y', '--no-install-recommends', debianPackage]))
      throw new MissingServiceError(`Installing ${debianPackage} with apt-get failed. ${advice}`);
  }
  const installed = find();
  if (installed === undefined)
    throw new MissingServiceError(
      `apt-get installed ${debianPackage} but it is not found. ${advice}`,
    );
  return installed;
}
