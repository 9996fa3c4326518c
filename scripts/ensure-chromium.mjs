#!/usr/bin/env node
// Makes sure the browser tests have a Chromium to drive (playwright-core never downloads one).
// Silent when one is there; installs Debian's package when it can (root with apt-get, as in CI);
// otherwise says how to get one and exits 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const debianChromiumPath = '/usr/bin/chromium';
const adviceMessage =
  'Browser tests need Chromium: run `sudo apt-get install -y chromium` or set CHROMIUM_PATH ' +
  'to a Chromium or Chrome binary.';

function findChromium() {
  const configuredPath = process.env.CHROMIUM_PATH;
  if (configuredPath) return existsSync(configuredPath) ? configuredPath : undefined;
  return existsSync(debianChromiumPath) ? debianChromiumPath : undefined;
}

function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, commandArguments) {
  console.log(`$ ${command} ${commandArguments.join(' ')}`);
  const result = spawnSync(command, commandArguments, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

if (findChromium()) process.exit(0);

if (process.env.CHROMIUM_PATH) {
  fail(
    `CHROMIUM_PATH is set to ${process.env.CHROMIUM_PATH}, which does not exist. ${adviceMessage}`,
  );
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !commandExists('apt-get')) fail(adviceMessage);

console.log('Browser tests need Chromium; installing Debian’s chromium package.');
if (!run('apt-get', ['update']) || !run('apt-get', ['install', '-y', 'chromium'])) {
  fail(`Installing chromium with apt-get failed. ${adviceMessage}`);
}
if (!findChromium())
  fail(`apt-get finished but ${debianChromiumPath} is missing. ${adviceMessage}`);
console.log(`Chromium installed at ${debianChromiumPath}.`);
