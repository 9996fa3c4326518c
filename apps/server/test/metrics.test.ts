import { afterEach, describe, expect, it } from 'vitest';
import { subscribePlan } from './support/plan-events';
import { metricValue, parseMetrics, scrapeMetrics } from './support/scrape-metrics';
import { fastRetryPolicy, startTestStack, type TestStack } from './support/test-stack';

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

  it('counts refused sign-ins and sign-ins over the rate limit', async () => {
    const { url, admin } = await stack({ AUTH_RATE_LIMIT_PER_ACCOUNT: '2' });
    const signIn = () =>
      fetch(`${url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email: admin.user.email, password: 'not the password' }),
      });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) statuses.push((await signIn()).status);
    // The account's limit counts its sign-up too: wrong passwords first, then refusals.
    const refused = statuses.filter((status) => status === 401).length;
    const limited = statuses.filter((status) => status === 429).length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(limited).toBeGreaterThanOrEqual(1);
    expect(refused + limited).toBe(4);
    const samples = await scrapeMetrics(url);
    expect(
      metricValue(samples, 'sluice_authentication_failures_total', { reason: 'password' }),
    ).toBe(refused);
    expect(metricValue(samples, 'sluice_authentication_rate_limited_total')).toBe(limited);
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

describe('metric values after a known sequence of generations', () => {
  it('counts completed, failed, cancelled and abandoned plans, their upstream attempts, tokens, cost and refusals', async () => {
    const { client, url, app } = await stack({
      // The plan nobody watches is abandoned after this; the others are watched at once.
      ABANDON_AFTER_MS: '1500',
      // A plan that fails before its first token gives its unit back: three are kept.
      QUOTA_PLANS_PER_MONTH: '3',
    });
    const watch = (planId: string) => app.engines.plans.get(planId)?.attach();
    const finished = (planId: string) => app.engines.plans.get(planId)?.done;

    // 1. Completed.
    const completed = await client.plan.create.mutate({ goals: 'Learn to juggle' });
    const releaseCompleted = watch(completed.planId);
    // 2. Failed: every attempt answers 503 (all but the last retried).
    const failed = await client.plan.create.mutate({
      goals: 'Learn to whistle',
      model: 'sluice/simulator@status-503x4',
    });
    const releaseFailed = watch(failed.planId);
    await finished(failed.planId);
    // 3. Cancelled by its user after its first token, while a subscription watches it.
    const cancelled = await client.plan.create.mutate({
      goals: 'Learn to knit',
      model: 'sluice/simulator@slow',
    });
    const subscription = subscribePlan(client, cancelled.planId);
    await subscription.received(2);
    const watched = await scrapeMetrics(url);
    expect(metricValue(watched, 'sluice_subscribers', { kind: 'plan' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(watched, 'sluice_sse_connections')).toBe(1);
    expect(
      metricValue(watched, 'sluice_active_generations', { kind: 'plan' }),
    ).toBeGreaterThanOrEqual(1);
    await client.plan.cancel.mutate({ planId: cancelled.planId });
    await subscription.ended;
    // 4. Abandoned: nobody watches it.
    const abandoned = await client.plan.create.mutate({
      goals: 'Learn to draw',
      model: 'sluice/simulator@slow',
    });
    await Promise.all(
      [completed, failed, cancelled, abandoned].map(({ planId }) => finished(planId)),
    );
    releaseCompleted?.();
    releaseFailed?.();
    // 5. Refused: the month's three plans are used (the failed one was given back).
    await expect(client.plan.create.mutate({ goals: 'One too many' })).rejects.toThrow(
      /plans for this month/,
    );
    // 6. A wrong API key.
    expect(
      (
        await fetch(`${url}/trpc/plan.list`, {
          headers: { authorization: 'Bearer sk-sluice-wrong' },
        })
      ).status,
    ).toBe(401);

    const samples = await scrapeMetrics(url);
    const value = (name: string, labels: Record<string, string> = {}) =>
      metricValue(samples, name, labels);
    expect(value('sluice_generations_started_total', { kind: 'plan' })).toBe(4);
    expect(value('sluice_generations_started_total', { kind: 'chat' })).toBe(0);
    const finishedTotal = 'sluice_generations_finished_total';
    expect(value(finishedTotal, { kind: 'plan', status: 'completed', reason: 'none' })).toBe(1);
    expect(value(finishedTotal, { kind: 'plan', status: 'failed', reason: 'upstream-error' })).toBe(
      1,
    );
    expect(value(finishedTotal, { kind: 'plan', status: 'cancelled', reason: 'cancelled' })).toBe(
      1,
    );
    expect(value(finishedTotal, { kind: 'plan', status: 'partial', reason: 'abandoned' })).toBe(1);
    expect(value(finishedTotal)).toBe(4);
    expect(value('sluice_active_generations', { kind: 'plan' })).toBe(0);
    expect(value('sluice_subscribers', { kind: 'plan' })).toBe(0);
    expect(value('sluice_sse_connections')).toBe(0);

    // Every generation has a duration; three had a first token (the failed one none).
    expect(value('sluice_generation_duration_seconds_count', { kind: 'plan' })).toBe(4);
    expect(value('sluice_time_to_first_token_seconds_count', { kind: 'plan' })).toBe(3);

    // One upstream request per attempt: each of the failed plan's, one for each of the others.
    const upstream = (outcome: string) =>
      value('sluice_upstream_requests_total', { provider: 'openrouter', outcome });
    expect(upstream('success')).toBe(1);
    expect(upstream('retried')).toBe(fastRetryPolicy.maxAttempts - 1);
    expect(upstream('failed')).toBe(1);
    expect(upstream('aborted')).toBe(2);

    // Tokens and cost: what the stored plans say the provider reported.
    const stored = await Promise.all(
      [completed, failed, cancelled, abandoned].map(({ planId }) =>
        client.plan.get.query({ planId }),
      ),
    );
    const sum = (pick: (usage: NonNullable<(typeof stored)[number]['usage']>) => number | null) =>
      stored.reduce((total, plan) => total + (plan.usage ? (pick(plan.usage) ?? 0) : 0), 0);
    expect(value('sluice_tokens_total', { kind: 'plan', direction: 'output' })).toBe(
      sum((usage) => usage.outputTokens),
    );
    expect(value('sluice_tokens_total', { kind: 'plan', direction: 'input' })).toBe(
      sum((usage) => usage.inputTokens),
    );
    expect(value('sluice_tokens_total', { kind: 'plan', direction: 'output' })).toBeGreaterThan(0);
    expect(value('sluice_cost_usd_total', { kind: 'plan' })).toBeCloseTo(
      sum((usage) => usage.cost),
      9,
    );
    expect(value('sluice_content_flush_duration_seconds_count', { kind: 'plan' })).toBeGreaterThan(
      0,
    );

    expect(value('sluice_quota_refusals_total', { quota: 'plans-per-month' })).toBe(1);
    expect(value('sluice_authentication_failures_total', { reason: 'api-key' })).toBe(1);
  });
});
