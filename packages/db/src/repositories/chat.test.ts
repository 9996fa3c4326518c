import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase } from '../../test/test-database';
import type { SluiceDatabase } from '../database';
import { findChatArtifact } from './chat-artifacts';
import {
  appendChatContent,
  findChatMessage,
  findMessageByClientRequest,
  finishChatMessage,
  insertChatTurn,
  isClientRequestViolation,
  isOneGenerationPerSessionViolation,
  listChatMessages,
  recoverInterruptedChatMessages,
} from './chat-messages';
import { deleteChatSession, insertChatSession } from './chat-sessions';
import { readSettings, writeSettings } from './settings';

let db: SluiceDatabase;
let close: () => Promise<void>;

/** The owner every row in these tests belongs to. */
const owner = 'user-1';

async function insertOwner(db: SluiceDatabase) {
  const timestamp = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      id: owner,
      name: 'Owner',
      email: 'owner@example.com',
      created_at: timestamp,
      updated_at: timestamp,
    })
    .execute();
}

function turn(number: number, options: { clientRequestId?: string; artifactId?: string } = {}) {
  return insertChatTurn(db, {
    userId: owner,
    sessionId: 's1',
    userMessage: {
      id: `u${number}`,
      content: `question ${number}`,
      clientRequestId: options.clientRequestId ?? null,
    },
    assistantMessage: { id: `a${number}`, model: 'm' },
    artifactId: options.artifactId ?? null,
    now: new Date(),
  });
}

const finished = (
  id: string,
  artifact: { id: string; title: string; html: string } | null = null,
) => ({
  id,
  status: 'completed' as const,
  reason: null,
  text: 'answer',
  error: null,
  usage: { inputTokens: 10, outputTokens: 2, cost: 0.5 },
  stats: { timeToFirstTokenMs: 12, durationMs: 100, chunks: 3, characters: 6 },
  artifact,
  provisionedArtifactId: artifact?.id ?? null,
  now: new Date(),
});

describe.each(engines)('chat repository on %s', (engine) => {
  beforeEach(async () => {
    ({ db, close } = await openTestDatabase(engine));
    await insertOwner(db);
    await insertChatSession(db, {
      userId: owner,
      id: 's1',
      title: 'Session',
      model: 'm',
      systemPrompt: '',
      character: '',
      userProfile: '',
      experiment: false,
      now: new Date(),
    });
  });

  afterEach(() => close());

  it('refuses a second generating reply in a session, in the database', async () => {
    await turn(1);
    const error = await turn(2).catch((caught: unknown) => caught);
    expect(isOneGenerationPerSessionViolation(error)).toBe(true);
    // The whole turn was rolled back: no orphan user message.
    expect((await listChatMessages(db, 's1')).map((message) => message.id)).toEqual(['u1', 'a1']);
    await finishChatMessage(db, finished('a1'));
    await turn(2);
    expect((await listChatMessages(db, 's1')).map((message) => message.id)).toEqual([
      'u1',
      'a1',
      'u2',
      'a2',
    ]);
  });

  it('finds a turn by client request id and refuses the id twice', async () => {
    await turn(1, { clientRequestId: 'r-1' });
    expect((await findMessageByClientRequest(db, 's1', 'r-1'))?.id).toBe('u1');
    await finishChatMessage(db, finished('a1'));
    const error = await turn(2, { clientRequestId: 'r-1' }).catch((caught: unknown) => caught);
    expect(isClientRequestViolation(error)).toBe(true);
    expect(isOneGenerationPerSessionViolation(error)).toBe(false);
  });

  it('appends content while generating and stores the finished reply with usage and stats', async () => {
    await turn(1);
    await appendChatContent(db, [{ id: 'a1', text: 'ans' }], new Date());
    expect((await findChatMessage(db, 'a1'))?.content).toBe('ans');
    expect(await finishChatMessage(db, finished('a1'))).toBe(true);
    expect(await finishChatMessage(db, finished('a1'))).toBe(false);
    expect(await findChatMessage(db, 'a1')).toMatchObject({
      status: 'completed',
      content: 'answer',
      input_tokens: 10,
      cost: 0.5,
      time_to_first_token_ms: 12,
      chunks: 3,
    });
  });

  it('fills a provisioned artifact, or drops it when the reply had none', async () => {
    await turn(1, { artifactId: 'art1' });
    expect(await findChatArtifact(db, 'art1', owner)).toMatchObject({
      message_id: 'a1',
      html: null,
    });
    await finishChatMessage(db, finished('a1', { id: 'art1', title: 'Demo', html: '<p>hi</p>' }));
    expect(await findChatArtifact(db, 'art1', owner)).toMatchObject({
      title: 'Demo',
      html: '<p>hi</p>',
    });

    await turn(2, { artifactId: 'art2' });
    await finishChatMessage(db, { ...finished('a2'), provisionedArtifactId: 'art2' });
    expect(await findChatArtifact(db, 'art2', owner)).toBeUndefined();
  });

  it('recovers replies left generating, and deletes a session with everything in it', async () => {
    await turn(1, { artifactId: 'art1' });
    expect(
      await recoverInterruptedChatMessages(db, { reason: 'server-restart', now: new Date() }),
    ).toEqual(['a1']);
    expect((await findChatMessage(db, 'a1'))?.status).toBe('partial');
    expect(await deleteChatSession(db, 's1', owner)).toBe(true);
    expect(await listChatMessages(db, 's1')).toEqual([]);
    expect(await findChatArtifact(db, 'art1', owner)).toBeUndefined();
    expect(await deleteChatSession(db, 's1', owner)).toBe(false);
  });

  it('stores settings by key', async () => {
    await writeSettings(db, { pre: 'a', post: 'b' }, new Date());
    await writeSettings(db, { pre: 'c' }, new Date());
    expect(Object.fromEntries(await readSettings(db, ['pre', 'post', 'other']))).toEqual({
      pre: 'c',
      post: 'b',
    });
  });
});
