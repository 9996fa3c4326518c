import { TRPCClientError } from '@trpc/client';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/routers/app-router';
import { subscribePlan } from './support/plan-events';
import {
  type CreatedUser,
  createClient,
  createUser,
  type SluiceClient,
  startTestStack,
  type TestStack,
} from './support/test-stack';

/** What a call answered: its data, or its tRPC error code and message. */
type Outcome =
  | { ok: true; data: unknown }
  | { ok: false; code: string | undefined; message: string };

async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, data: await call() };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    return { ok: false, code: error.data?.code, message: error.message };
  }
}

/** A subscription's first answer: its first event, or its error. */
function firstAnswer(
  subscribe: (handlers: {
    onData: (data: unknown) => void;
    onError: (error: unknown) => void;
    onStarted: () => void;
  }) => { unsubscribe(): void },
  /** Run once the stream is open (to make the first event happen). */
  onStarted?: () => Promise<unknown>,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const subscription = subscribe({
      onStarted() {
        onStarted?.().catch(() => {});
      },
      onData(data) {
        subscription.unsubscribe();
        resolve({ ok: true, data });
      },
      onError(error) {
        subscription.unsubscribe();
        if (error instanceof TRPCClientError) {
          resolve({ ok: false, code: error.data?.code, message: error.message });
        } else resolve({ ok: false, code: undefined, message: String(error) });
      },
    });
  });
}

/** stream.watch's first answer for one plan channel: a channel error reads as a call's error. */
async function watchAnswer(client: SluiceClient, planId: string): Promise<Outcome> {
  const answer = await firstAnswer((handlers) =>
    client.stream.watch.subscribe({ channels: [{ kind: 'plan', id: planId }] }, handlers),
  );
  if (answer.ok && typeof answer.data === 'object' && answer.data && 'error' in answer.data) {
    const { error } = answer.data as { error: { code: string; message: string } };
    return { ok: false, code: error.code, message: error.message };
  }
  return answer;
}

/** Every row of every table, to prove a refused call changed nothing. */
function dumpDatabase(path: string): string {
  const connection = new SQLite(path, { readonly: true });
  try {
    const tables = connection
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all() as Array<{ name: string }>;
    return JSON.stringify(
      tables.map(({ name }) => [name, connection.prepare(`select * from "${name}"`).all()]),
    );
  } finally {
    connection.close();
  }
}

const missingId = '00000000-0000-4000-8000-000000000000';
/** A provider key the rows store (Anthropic's: no generation here uses it). */
const providerKey = 'sk-ant-api03-matrix0123456789abcdef0123456789';

interface Fixtures {
  planId: string;
  sessionId: string;
  artifactId: string;
  apiKeyId: string;
}

type Call = (client: SluiceClient, fixtures: Fixtures) => Promise<Outcome>;

/**
 * One row per procedure. `owned`: takes the id of the owner's row (another user gets
 * NOT_FOUND with the message of a missing id, which `missing` calls). `scoped`: acts on the
 * caller's own data. `admin`: admins only. `public`: anyone.
 */
type Row =
  | { kind: 'owned'; call: Call; missing: Call }
  | { kind: 'scoped'; call: Call }
  | { kind: 'admin'; call: Call }
  | { kind: 'public'; call: Call };

const query = (call: () => Promise<unknown>) => outcomeOf(call);

const matrix: Record<string, Row> = {
  'system.info': { kind: 'public', call: (client) => query(() => client.system.info.query()) },

  'plan.create': {
    kind: 'scoped',
    call: (client) => query(() => client.plan.create.mutate({ goals: 'Learn to juggle' })),
  },
  'plan.generate': {
    kind: 'scoped',
    call: (client) => query(() => client.plan.generate.mutate({ goals: 'Learn to juggle' })),
  },
  'plan.list': { kind: 'scoped', call: (client) => query(() => client.plan.list.query({})) },
  'plan.get': {
    kind: 'owned',
    call: (client, { planId }) => query(() => client.plan.get.query({ planId })),
    missing: (client) => query(() => client.plan.get.query({ planId: missingId })),
  },
  'plan.cancel': {
    kind: 'owned',
    call: (client, { planId }) => query(() => client.plan.cancel.mutate({ planId })),
    missing: (client) => query(() => client.plan.cancel.mutate({ planId: missingId })),
  },
  'plan.continue': {
    kind: 'owned',
    // The owner's plan is complete: the owner gets BAD_REQUEST (nothing to continue).
    call: (client, { planId }) => query(() => client.plan.continue.mutate({ planId })),
    missing: (client) => query(() => client.plan.continue.mutate({ planId: missingId })),
  },
  // A channel the caller may not watch ends alone, with the error plan.events would give.
  'stream.watch': {
    kind: 'owned',
    call: (client, { planId }) => watchAnswer(client, planId),
    missing: (client) => watchAnswer(client, missingId),
  },
  'plan.events': {
    kind: 'owned',
    call: (client, { planId }) =>
      firstAnswer((handlers) => client.plan.events.subscribe({ planId }, handlers)),
    missing: (client) =>
      firstAnswer((handlers) => client.plan.events.subscribe({ planId: missingId }, handlers)),
  },

  'chat.settings': { kind: 'scoped', call: (client) => query(() => client.chat.settings.query()) },
  'chat.updateSettings': {
    kind: 'scoped',
    call: (client) =>
      query(() => client.chat.updateSettings.mutate({ preSystemPrompt: 'Be brief.' })),
  },
  'chat.createSession': {
    kind: 'scoped',
    call: (client) => query(() => client.chat.createSession.mutate({ title: 'Mine' })),
  },
  'chat.listSessions': {
    kind: 'scoped',
    call: (client) => query(() => client.chat.listSessions.query({})),
  },
  'chat.getSession': {
    kind: 'owned',
    call: (client, { sessionId }) => query(() => client.chat.getSession.query({ sessionId })),
    missing: (client) => query(() => client.chat.getSession.query({ sessionId: missingId })),
  },
  'chat.updateSession': {
    kind: 'owned',
    call: (client, { sessionId }) =>
      query(() => client.chat.updateSession.mutate({ sessionId, title: 'Renamed' })),
    missing: (client) =>
      query(() => client.chat.updateSession.mutate({ sessionId: missingId, title: 'Renamed' })),
  },
  'chat.renameSession': {
    kind: 'owned',
    call: (client, { sessionId }) =>
      query(() => client.chat.renameSession.mutate({ sessionId, title: 'Renamed again' })),
    missing: (client) =>
      query(() => client.chat.renameSession.mutate({ sessionId: missingId, title: 'Renamed' })),
  },
  'chat.send': {
    kind: 'owned',
    call: (client, { sessionId }) =>
      query(() => client.chat.send.mutate({ sessionId, content: 'Hello', stream: false })),
    missing: (client) =>
      query(() => client.chat.send.mutate({ sessionId: missingId, content: 'Hello' })),
  },
  'chat.cancel': {
    kind: 'owned',
    call: (client, { sessionId }) => query(() => client.chat.cancel.mutate({ sessionId })),
    missing: (client) => query(() => client.chat.cancel.mutate({ sessionId: missingId })),
  },
  'chat.getArtifact': {
    kind: 'owned',
    call: (client, { artifactId }) => query(() => client.chat.getArtifact.query({ artifactId })),
    missing: (client) => query(() => client.chat.getArtifact.query({ artifactId: missingId })),
  },
  'chat.events': {
    kind: 'owned',
    // An idle session sends nothing until it changes: renaming it sends `session-updated`.
    call: (client, { sessionId }) =>
      firstAnswer(
        (handlers) => client.chat.events.subscribe({ sessionId }, handlers),
        () => client.chat.renameSession.mutate({ sessionId, title: 'Watched' }),
      ),
    missing: (client) =>
      firstAnswer((handlers) => client.chat.events.subscribe({ sessionId: missingId }, handlers)),
  },
  // Last among the chat rows: the owner's call deletes the session. Another user's call
  // answers like a missing id ({ deleted: false }, the procedure's answer for that).
  'chat.deleteSession': {
    kind: 'owned',
    call: (client, { sessionId }) => query(() => client.chat.deleteSession.mutate({ sessionId })),
    missing: (client) => query(() => client.chat.deleteSession.mutate({ sessionId: missingId })),
  },

  'account.me': { kind: 'scoped', call: (client) => query(() => client.account.me.query()) },
  'account.createApiKey': {
    kind: 'scoped',
    call: (client) => query(() => client.account.createApiKey.mutate({ name: 'matrix' })),
  },
  'account.listApiKeys': {
    kind: 'scoped',
    call: (client) => query(() => client.account.listApiKeys.query()),
  },
  'account.revokeApiKey': {
    kind: 'owned',
    call: (client, { apiKeyId }) =>
      query(() => client.account.revokeApiKey.mutate({ id: apiKeyId })),
    missing: (client) => query(() => client.account.revokeApiKey.mutate({ id: missingId })),
  },
  'account.setProviderKey': {
    kind: 'scoped',
    call: (client) =>
      query(() =>
        client.account.setProviderKey.mutate({ provider: 'anthropic', key: providerKey }),
      ),
  },
  'account.listProviderKeys': {
    kind: 'scoped',
    call: (client) => query(() => client.account.listProviderKeys.query()),
  },
  'account.usage': { kind: 'scoped', call: (client) => query(() => client.account.usage.query()) },
  'account.deleteProviderKey': {
    kind: 'scoped',
    call: (client) =>
      query(() => client.account.deleteProviderKey.mutate({ provider: 'anthropic' })),
  },

  'admin.settings': { kind: 'admin', call: (client) => query(() => client.admin.settings.query()) },
  'admin.updateSettings': {
    kind: 'admin',
    call: (client) => query(() => client.admin.updateSettings.mutate({ allowSignUp: true })),
  },
  'admin.chatDefaults': {
    kind: 'admin',
    call: (client) => query(() => client.admin.chatDefaults.query()),
  },
  'admin.updateChatDefaults': {
    kind: 'admin',
    call: (client) =>
      query(() => client.admin.updateChatDefaults.mutate({ postSystemPrompt: 'Cite sources.' })),
  },
  'admin.listUsers': {
    kind: 'admin',
    call: (client) => query(() => client.admin.listUsers.query()),
  },
  'admin.setUserQuotas': {
    kind: 'admin',
    call: (client) =>
      query(() =>
        client.admin.setUserQuotas.mutate({ userId: other.user.id, plansPerMonth: 'unlimited' }),
      ),
  },
  'admin.activity': {
    kind: 'admin',
    call: (client) => query(() => client.admin.activity.query({ range: '24h' })),
  },
  'admin.setProviderKey': {
    kind: 'admin',
    call: (client) =>
      query(() => client.admin.setProviderKey.mutate({ provider: 'anthropic', key: providerKey })),
  },
};

let stack: TestStack;
let owner: CreatedUser;
let other: CreatedUser;
let anonymous: SluiceClient;
let fixtures: Fixtures;

beforeAll(async () => {
  stack = await startTestStack({
    env: { ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
  });
  owner = stack.admin;
  other = await createUser(stack);
  anonymous = createClient(stack.url, null);
  const plan = await owner.client.plan.generate.mutate({ goals: 'Run a marathon' });
  const session = await owner.client.chat.createSession.mutate({ experiment: true });
  await owner.client.chat.send.mutate({
    sessionId: session.id,
    content: 'Show me gravity',
    stream: false,
  });
  const { artifacts } = await owner.client.chat.getSession.query({ sessionId: session.id });
  const artifactId = artifacts[0]?.id;
  if (!artifactId) throw new Error('The experiment session produced no artifact');
  const key = await owner.client.account.createApiKey.mutate({ name: 'to revoke' });
  fixtures = { planId: plan.id, sessionId: session.id, artifactId, apiKeyId: key.id };
  // Each key's first use writes its last_used_at; make it happen before any dump.
  await Promise.all([owner.client.account.me.query(), other.client.account.me.query()]);
}, 60_000);

afterAll(() => stack?.close());

describe('the authorization matrix', () => {
  it('has a row for every procedure of the router', () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(Object.keys(matrix).sort()).toEqual(procedures);
  });

  for (const [path, row] of Object.entries(matrix)) {
    it(`${path} (${row.kind})`, { timeout: 30_000 }, async () => {
      const before = dumpDatabase(stack.databasePath);
      const anonymousAnswer = await row.call(anonymous, fixtures);
      if (row.kind === 'public') {
        expect(anonymousAnswer.ok).toBe(true);
        return;
      }
      expect(anonymousAnswer).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
      expect(dumpDatabase(stack.databasePath)).toBe(before);

      if (row.kind === 'admin') {
        expect(await row.call(other.client, fixtures)).toMatchObject({
          ok: false,
          code: 'FORBIDDEN',
        });
        expect(dumpDatabase(stack.databasePath)).toBe(before);
        expect(await row.call(owner.client, fixtures)).toMatchObject({ ok: true });
        return;
      }

      if (row.kind === 'owned') {
        const foreign = await row.call(other.client, fixtures);
        const missing = await row.missing(other.client, fixtures);
        expect(dumpDatabase(stack.databasePath)).toBe(before);
        // Indistinguishable from an id that does not exist, message included.
        expect(foreign).toEqual(
          JSON.parse(JSON.stringify(missing).replaceAll(missingId, idIn(path))),
        );
        if (!missing.ok) expect(missing.code).toBe('NOT_FOUND');
        const own = await row.call(owner.client, fixtures);
        if (path === 'plan.continue') {
          expect(own).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
        } else {
          expect(own).toMatchObject({ ok: true });
        }
        return;
      }

      // Scoped: another user acts on their own data and sees none of the owner's.
      const answer = await row.call(other.client, fixtures);
      expect(answer.ok).toBe(true);
      // A plan it started keeps writing to the database; let it end before the next row
      // compares dumps.
      if (path === 'plan.create' && answer.ok) {
        await subscribePlan(other.client, (answer.data as { planId: string }).planId).ended;
      }
      const seen = JSON.stringify(answer.ok ? answer.data : null);
      for (const id of Object.values(fixtures)) expect(seen).not.toContain(id);
      expect(seen).not.toContain(owner.user.email);
    });
  }
});

function idIn(path: string): string {
  if (path.startsWith('plan.') || path === 'stream.watch') return fixtures.planId;
  if (path === 'chat.getArtifact') return fixtures.artifactId;
  if (path.startsWith('chat.')) return fixtures.sessionId;
  return fixtures.apiKeyId;
}
