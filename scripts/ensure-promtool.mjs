#!/usr/bin/env node
// Finds promtool for the alert-rule tests and prints its path (the last line of stdout).
// Order: PROMTOOL_PATH, `promtool` on PATH, the copy cached under node_modules/.cache. When none
// is there it fetches Debian's `prometheus` package with `apt-get download` and unpacks only
// promtool into that cache: nothing is installed system-wide and no service is started.
// Otherwise it says how to get one and exits 1.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDirectory = join(repositoryRoot, 'node_modules', '.cache', 'promtool');
const cachedPath = join(cacheDirectory, 'promtool');
const adviceMessage =
  'The alert-rule tests need promtool: run `sudo apt-get install -y --no-install-recommends ' +
  'prometheus` (Debian) or set PROMTOOL_PATH to a promtool binary.';

function fail(message) {
  console.error(message);
  process.exit(1);
}

function onPath() {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function run(command, commandArguments, options = {}) {
  console.error(`$ ${command} ${commandArguments.join(' ')}`);
  const result = spawnSync(command, commandArguments, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    ...options,
  });
  return result.status === 0;
}

function found(path) {
  console.log(path);
  process.exit(0);
}

if (process.env.PROMTOOL_PATH) {
  if (existsSync(process.env.PROMTOOL_PATH)) found(process.env.PROMTOOL_PATH);
  fail(
    `PROMTOOL_PATH is set to ${process.env.PROMTOOL_PATH}, which does not exist. ${adviceMessage}`,
  );
}
const fromPath = onPath();
if (fromPath) found(fromPath);
if (existsSync(cachedPath)) found(cachedPath);

const hasApt =
  spawnSync('sh', ['-c', 'command -v apt-get && command -v dpkg-deb'], { stdio: 'ignore' })
    .status === 0;
if (!hasApt) fail(adviceMessage);

console.error('The alert-rule tests need promtool; unpacking it from Debian’s prometheus package.');
const workDirectory = mkdtempSync(join(tmpdir(), 'sluice-promtool-'));
try {
  const download = () => run('apt-get', ['download', 'prometheus'], { cwd: workDirectory });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // Package lists may be missing (a fresh container); only root may refresh them.
  if (!download() && !(isRoot && run('apt-get', ['update']) && download())) {
    fail(`apt-get download prometheus failed. ${adviceMessage}`);
  }
  const archive = readdirSync(workDirectory).find((name) => name.endsWith('.deb'));
  if (!archive) fail(`apt-get download left no .deb in ${workDirectory}. ${adviceMessage}`);
  const unpacked = join(workDirectory, 'unpacked');
  if (!run('dpkg-deb', ['-x', join(workDirectory, archive), unpacked])) {
    fail(`dpkg-deb could not unpack ${archive}. ${adviceMessage}`);
  }
  mkdirSync(cacheDirectory, { recursive: true });
  // Copied beside the cache, then renamed: a concurrent run never sees half a binary.
  const staging = `${cachedPath}.${process.pid}`;
  copyFileSync(join(unpacked, 'usr', 'bin', 'promtool'), staging);
  renameSync(staging, cachedPath);
} finally {
  rmSync(workDirectory, { recursive: true, force: true });
}
found(cachedPath);
