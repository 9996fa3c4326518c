import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './support/raw-http';
import { startTestStack, type TestStack } from './support/test-stack';

const createPlanBody = JSON.stringify({ goals: 'learn to juggle' });

function createPlan(stack: TestStack, headers: Record<string, string>) {
  return rawRequest(stack.url, '/trpc/plan.create', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: createPlanBody,
  });
}

async function planCount(stack: TestStack): Promise<number> {
  const page = await stack.client.plan.list.query({ limit: 100 });
  return page.items.length;
}

describe('hosts and origins (default: http://<HOST>:<port> and its loopback aliases)', () => {
  let stack: TestStack;
  let port: string;

  beforeAll(async () => {
    stack = await startTestStack();
    port = new URL(stack.url).port;
  });
  afterAll(() => stack.close());

  it('answers 421 to a foreign Host (DNS rebinding), and serves its own address and aliases', async () => {
    for (const path of ['/', '/assets/index.js', '/chat/some-session', '/trpc/plan.list']) {
      const response = await rawRequest(stack.url, path, {
        headers: { host: `rebind.attacker.example:${port}` },
      });
      expect(response.status, path).toBe(421);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      const response = await rawRequest(stack.url, '/trpc/plan.list', { headers: { host } });
      expect(response.status, host).toBe(200);
    }
    // Health checks answer whatever the Host: orchestrators probe the pod's address.
    const health = await rawRequest(stack.url, '/healthz', { headers: { host: '10.1.2.3:3000' } });
    expect(health.status).toBe(200);
  });

  it('refuses a mutation from a foreign or opaque Origin with 403 (and runs nothing), not from its own', async () => {
    const before = await planCount(stack);
    for (const origin of [
      'https://attacker.example',
      'null',
      `http://localhost:${Number(port) + 1}`,
    ]) {
      const response = await createPlan(stack, { origin });
      expect(response.status, origin).toBe(403);
      expect((response.json as { error: { message: string } }).error.message).toContain(
        'ALLOWED_ORIGINS',
      );
    }
    expect(await planCount(stack)).toBe(before);
    // Its own origin, its aliases, and programs that send no Origin (the CLI) are served.
    for (const origin of [stack.url, `http://localhost:${port}`, undefined]) {
      const response = await createPlan(stack, origin ? { origin } : {});
      expect(response.status, origin ?? 'no Origin').toBe(200);
    }
  });

  it('refuses a cross-site request that sends no Origin', async () => {
    const response = await createPlan(stack, { 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
  });

  it('refuses a form post whatever the schema (a form cannot send application/json)', async () => {
    const before = await planCount(stack);
    const boundary = 'sluice-boundary';
    const forms = [
      {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        body: `--${boundary}\r\nContent-Disposition: form-data; name="goals"\r\n\r\nlearn\r\n--${boundary}--\r\n`,
      },
      { 'content-type': 'application/x-www-form-urlencoded', body: 'goals=learn' },
      { 'content-type': 'text/plain', body: createPlanBody },
    ];
    for (const form of forms) {
      const response = await rawRequest(stack.url, '/trpc/plan.create', {
        method: 'POST',
        headers: { 'content-type': form['content-type'] },
        body: form.body,
      });
      expect(response.status, form['content-type']).toBe(415);
    }
    expect(await planCount(stack)).toBe(before);
  });
});

describe('hosts and origins with PUBLIC_URL and ALLOWED_ORIGINS', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        PUBLIC_URL: 'https://sluice.example.com/',
        ALLOWED_ORIGINS: 'https://tools.example.org, http://intranet.example:8080',
      },
    });
  });
  afterAll(() => stack.close());

  it('serves the public host and the allowed ones, and no other', async () => {
    for (const host of [
      'sluice.example.com',
      'sluice.example.com:443',
      'tools.example.org',
      'intranet.example:8080',
    ]) {
      const response = await rawRequest(stack.url, '/trpc/plan.list', { headers: { host } });
      expect(response.status, host).toBe(200);
    }
    for (const host of ['sluice.example.com:8443', 'intranet.example', 'example.com']) {
      const response = await rawRequest(stack.url, '/trpc/plan.list', { headers: { host } });
      expect(response.status, host).toBe(421);
    }
  });

  it('accepts mutations from the public and allowed origins only', async () => {
    for (const origin of ['https://sluice.example.com', 'https://tools.example.org']) {
      const response = await createPlan(stack, { origin, host: 'sluice.example.com' });
      expect(response.status, origin).toBe(200);
    }
    for (const origin of ['http://sluice.example.com', 'https://evil.example.com']) {
      const response = await createPlan(stack, { origin, host: 'sluice.example.com' });
      expect(response.status, origin).toBe(403);
    }
  });
});
