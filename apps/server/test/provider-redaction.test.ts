import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribePlan } from './support/plan-events';
import { startTestStack, type TestStack } from './support/test-stack';

const configuredKey = 'cfgkey_5f3a9b1c7d2e8a4b';
const bearerToken = 'xyz-upstream-token-42';
const otherKey = 'sk-or-v1-0123456789abcdef0123';

/** An upstream that fails every request and quotes credentials back, as some proxies do. */
async function startLeakyUpstream(): Promise<{
  url: string;
  requests: number;
  close(): Promise<void>;
}> {
  const state = { requests: 0 };
  const server: Server = createServer((request, response) => {
    state.requests += 1;
    request.resume();
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        error: {
          message: `Upstream rejected key ${configuredKey} (Authorization: Bearer ${bearerToken}); fallback key ${otherKey} failed too`,
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function expectNoSecrets(text: string, where: string): void {
  expect(text, where).not.toContain(configuredKey);
  expect(text, where).not.toContain(bearerToken);
  expect(text, where).not.toContain(otherKey);
}

describe('upstream error text', () => {
  let upstream: Awaited<ReturnType<typeof startLeakyUpstream>>;
  let stack: TestStack;
  const logLines: string[] = [];

  beforeAll(async () => {
    upstream = await startLeakyUpstream();
    const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
    stack = await startTestStack({
      env: { OPENROUTER_API_KEY: configuredKey, OPENROUTER_BASE_URL: upstream.url },
      app: { logger },
    });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
  });

  it('reaches the end event, the stored plan and the logs with keys and tokens redacted', async () => {
    const { planId } = await stack.client.plan.create.mutate({ goals: 'learn to sail' });
    const events = await subscribePlan(stack.client, planId).ended;
    const end = events.at(-1)?.event;
    if (end?.type !== 'end') throw new Error('no end event');
    expect(end.status).toBe('failed');
    expect(end.error?.message).toContain('HTTP 500');
    expect(end.error?.message).toContain('[redacted]');
    expect(end.error?.message).toContain('Bearer [redacted]');
    expectNoSecrets(JSON.stringify(end), 'end event');
    // Retried (HTTP 500), each attempt logged.
    expect(upstream.requests).toBeGreaterThan(1);

    const plan = await stack.client.plan.get.query({ planId });
    expectNoSecrets(JSON.stringify(plan), 'plan.get');

    const database = new Database(stack.databasePath, { readonly: true });
    try {
      const tables = database
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all() as Array<{ name: string }>;
      const rows = tables.map(({ name }) => database.prepare(`SELECT * FROM "${name}"`).all());
      const stored = JSON.stringify(rows);
      expect(stored).toContain('[redacted]');
      expectNoSecrets(stored, 'database');
    } finally {
      database.close();
    }

    const logs = logLines.join('');
    expect(logs).toContain('retrying the upstream request');
    expectNoSecrets(logs, 'logs');
  });
});
