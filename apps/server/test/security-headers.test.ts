import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeWebDist, type FakeWebDist } from './support/fake-web-dist';
import { rawRequest, trpcErrorOf } from './support/raw-http';
import { startTestStack, type TestStack } from './support/test-stack';

function directivesOf(policy: unknown): Map<string, string> {
  return new Map(
    String(policy ?? '')
      .split(';')
      .map((directive) => directive.trim())
      .filter(Boolean)
      .map((directive) => {
        const [name = '', ...values] = directive.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

describe('security headers and error responses', () => {
  let stack: TestStack;
  let dist: FakeWebDist;

  beforeAll(async () => {
    dist = createFakeWebDist();
    stack = await startTestStack({ env: { WEB_DIST_DIR: dist.directory } });
  });
  afterAll(async () => {
    await stack.close();
    dist.remove();
  });

  it('sends a strict policy, nosniff and a referrer policy with the page, assets and SPA routes', async () => {
    for (const path of [
      '/',
      '/assets/index-abc123.js',
      '/assets/logo-def456.svg',
      '/plans/abc',
      '/chat/xyz',
    ]) {
      const response = await rawRequest(stack.url, path);
      expect(response.status, path).toBe(200);
      const policy = directivesOf(response.headers['content-security-policy']);
      expect(policy.get('default-src'), path).toBe("'self'");
      expect(policy.get('script-src'), path).toBe("'self'");
      expect(policy.get('frame-ancestors'), path).toBe("'none'");
      expect(policy.get('object-src'), path).toBe("'none'");
      expect(policy.get('frame-src'), path).toBe("'self'");
      expect(response.headers['x-content-type-options'], path).toBe('nosniff');
      expect(response.headers['referrer-policy'], path).toBe('same-origin');
      expect(response.headers['x-frame-options'], path).toBe('DENY');
    }
  });

  it('gives the experiment frame its own sandboxed policy that runs inline code and fetches nothing', async () => {
    const response = await rawRequest(stack.url, '/experiment-frame.html');
    expect(response.status).toBe(200);
    const policy = directivesOf(response.headers['content-security-policy']);
    expect(policy.get('sandbox')).toBe('allow-scripts');
    expect(policy.get('script-src')).toBe("'unsafe-inline'");
    expect(policy.get('default-src')).toBe("'none'");
    expect(policy.has('connect-src')).toBe(false);
    expect(policy.get('frame-ancestors')).toBe("'self'");
    expect(response.headers['x-frame-options']).toBeUndefined();
  });

  it('sends nosniff with API answers', async () => {
    const response = await rawRequest(stack.url, '/trpc/plan.list');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never sends a stack trace in an error response, and keeps the message', async () => {
    const notFound = await rawRequest(
      stack.url,
      `/trpc/plan.get?input=${encodeURIComponent(JSON.stringify({ planId: 'no-such-plan' }))}`,
    );
    expect(notFound.status).toBe(404);
    expect(trpcErrorOf(notFound).message).toMatch(/no-such-plan|not found/i);
    const invalid = await rawRequest(stack.url, '/trpc/plan.create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ goals: '' }),
    });
    expect(invalid.status).toBe(400);
    expect(trpcErrorOf(invalid).data.fieldErrors).toHaveProperty('goals');
    for (const response of [notFound, invalid]) {
      expect(trpcErrorOf(response).data).not.toHaveProperty('stack');
      expect(response.text).not.toContain(process.cwd());
      expect(response.text).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });
});
