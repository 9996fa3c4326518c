import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics/metrics';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const prometheusDirectory = `${repositoryRoot}prometheus`;

let promtool = '';
beforeAll(() => {
  // Finds promtool, or unpacks it from Debian's package into node_modules/.cache.
  const output = execFileSync(process.execPath, [`${repositoryRoot}scripts/ensure-promtool.mjs`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  promtool = output.trim().split('\n').at(-1) ?? '';
}, 180_000);

function runPromtool(...commandArguments: string[]): string {
  return execFileSync(promtool, commandArguments, {
    cwd: prometheusDirectory,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('prometheus/alerts.yml', () => {
  it('is valid for promtool check rules', () => {
    expect(runPromtool('check', 'rules', 'alerts.yml')).toContain('SUCCESS: 4 rules found');
  });

  it('fires each alert on an unhealthy series and not on a healthy one (promtool test rules)', () => {
    expect(runPromtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });

  it('uses only metric names the server exposes', async () => {
    const exposed = new Set(
      (await createMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name),
    );
    const rules = readFileSync(`${prometheusDirectory}/alerts.yml`, 'utf8');
    const used = new Set(
      [...rules.matchAll(/\bsluice_[a-z_]+/g)].map(([name]) => name.replace(/_bucket$/, '')),
    );
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(exposed, name).toContain(name);
  });
});
