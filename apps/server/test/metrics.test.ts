import { afterEach, describe, expect, it } from 'vitest';
import { metricValue, parseMetrics, scrapeMetrics } from './support/scrape-metrics';
import { startTestStack, type TestStack } from './support/test-stack';

const stacks: TestStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

async function stack(env: Record<string, string> = {}): Promise<TestStack> {
  const started = await startTestStack({ env });
  stacks.push(started);
  return started;
}

const contractNames = [
  'sluice_generations_started_total',
  'sluice_generations_finished_total',
  'sluice_time_to_first_token_seconds',
  'sluice_generation_duration_seconds',
  'sluice_active_generations',
  'sluice_subscribers',
  'sluice_tokens_total',
  'sluice_cost_usd_total',
  'sluice_upstream_requests_total',
];

describe('GET /metrics', () => {
  it('serves the Prometheus text format with every metric API.md names', async () => {
    const { url } = await stack();
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of contractNames) expect(text).toContain(`# TYPE ${name} `);
    const samples = parseMetrics(text);
    expect(metricValue(samples, 'sluice_generations_started_total', { kind: 'plan' })).toBe(0);
    expect(samples.some((sample) => sample.name === 'process_cpu_seconds_total')).toBe(true);
    expect(samples.some((sample) => sample.name === 'sluice_event_loop_delay_p99_seconds')).toBe(
      true,
    );
  });

  it('answers any Host, like the health checks (scrapers use the pod address)', async () => {
    const { url } = await stack();
    const response = await fetch(`${url}/metrics`, { headers: { host: 'scraper.internal' } });
    expect(response.status).toBe(200);
  });

  it('requires the METRICS_TOKEN as a Bearer token when it is set', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const { url } = await stack({ METRICS_TOKEN: token });
    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anonymous.text()).not.toContain('sluice_');
    const wrong = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${token.slice(0, -1)}x` },
    });
    expect(wrong.status).toBe(401);
    const samples = await scrapeMetrics(url, token);
    // The refused scrapes were counted.
    expect(
      metricValue(samples, 'sluice_authentication_failures_total', { reason: 'metrics-token' }),
    ).toBe(2);
  });

  it('keeps one registry per server: two servers in one process count apart', async () => {
    const first = await stack();
    const second = await stack();
    await first.client.plan.create.mutate({ goals: 'Count me on the first server only' });
    const [one, two] = await Promise.all([scrapeMetrics(first.url), scrapeMetrics(second.url)]);
    expect(metricValue(one, 'sluice_generations_started_total', { kind: 'plan' })).toBe(1);
    expect(metricValue(two, 'sluice_generations_started_total', { kind: 'plan' })).toBe(0);
  });
});
