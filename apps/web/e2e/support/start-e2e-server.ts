import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerApp, loadConfig, type ServerApp } from '@sluice/server';
import type { Simulator, SimulatorRequestRecord } from '@sluice/simulator';

export interface E2eServerOptions {
  /** The built web app to serve. */
  webDistDir: string;
  /** Pace of the bundled simulator. 100 pieces a second streams a plan in about 7 s. */
  tokensPerSecond?: number;
  /** Further environment variables (limits, quotas). */
  env?: Record<string, string>;
  /**
   * Sign up the admin through the API at start (the default). False leaves a fresh server
   * whose first visit asks for the admin account; sessionCookies is then empty.
   */
  signUpAdmin?: boolean;
}

export interface E2eServer {
  app: ServerApp;
  /** The simulator the server started for itself (no API key, no base URL: the offline mode). */
  simulator: Simulator;
  url: string;
  /** The session cookies of the signed-up first user (the admin), as name/value pairs. */
  sessionCookies: Array<{ name: string; value: string }>;
  /** The admin's user id (services take the caller's id); empty without signUpAdmin. */
  adminUserId: string;
  /** Upstream requests whose prompt contains `goals`, in arrival order (records are live). */
  requestsFor(goals: string): SimulatorRequestRecord[];
  close(): Promise<void>;
}

/**
 * Four attempts in all, as in production, with short delays: `status-503x4` then fails a
 * plan's every attempt, and the fifth request for the same model and prompt (a Retry) succeeds.
 */
export const e2eRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 10,
  maxDelayMs: 50,
  maxRetryAfterMs: 2000,
};

function promptOf(record: SimulatorRequestRecord): string {
  const body = record.body as { messages?: Array<{ content?: unknown }> };
  return (body.messages ?? []).map((message) => String(message.content ?? '')).join('\n');
}

const sessionCookiesByOrigin = new Map<string, Array<{ name: string; value: string }>>();

/** The `Cookie` header of the e2e server's signed-in admin, for API calls in test setup. */
export function sessionCookieHeaderFor(serverUrl: string): string | undefined {
  const cookies = sessionCookiesByOrigin.get(new URL(serverUrl).origin);
  return cookies?.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
}

/**
 * Creates the first account (the admin) through Better Auth's sign-up route and answers its
 * session cookies, which the browser contexts carry unless a test asks for a signed-out one.
 */
async function signUpAdmin(
  url: string,
): Promise<{ userId: string; sessionCookies: Array<{ name: string; value: string }> }> {
  const response = await fetch(`${url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({
      email: 'admin@example.com',
      password: 'correct horse battery staple',
      name: 'Admin',
    }),
  });
  if (!response.ok)
    throw new Error(`Sign-up answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  const sessionCookies = response.headers.getSetCookie().map((line) => {
    const [pair = ''] = line.split(';');
    const separator = pair.indexOf('=');
    return { name: pair.slice(0, separator), value: pair.slice(separator + 1) };
  });
  return { userId: body.user.id, sessionCookies };
}

/** The real server on 127.0.0.1:0 with a temporary SQLite file, in the simulator mode users get offline. */
export async function startE2eServer(options: E2eServerOptions): Promise<E2eServer> {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: join(directory, 'sluice.db'),
    SIMULATOR_TOKENS_PER_SECOND: String(options.tokensPerSecond ?? 100),
    FLUSH_INTERVAL_MS: '100',
    // The server shares its event loop with the test runner and Playwright, on a 2-core machine
    // that also runs Chromium: a lag there is the test's own work, not load to shed. With the
    // default limit (300 ms) a send right after boot could be refused (TOO_MANY_REQUESTS).
    MAX_EVENT_LOOP_DELAY_MS: '10000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WEB_DIST_DIR: options.webDistDir,
    ...options.env,
  });
  const app = await createServerApp(config, { retryPolicy: e2eRetryPolicy });
  const simulator = app.simulator;
  if (!simulator) {
    await app.close();
    throw new Error('The e2e server should run the bundled simulator (no OPENROUTER_* upstream)');
  }
  const url = await app.listen();
  const { sessionCookies, userId: adminUserId } =
    options.signUpAdmin === false ? { sessionCookies: [], userId: '' } : await signUpAdmin(url);
  if (sessionCookies.length > 0) sessionCookiesByOrigin.set(new URL(url).origin, sessionCookies);
  return {
    app,
    simulator,
    url,
    sessionCookies,
    adminUserId,
    requestsFor: (goals) => simulator.requests.filter((record) => promptOf(record).includes(goals)),
    async close() {
      sessionCookiesByOrigin.delete(new URL(url).origin);
      await app.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
