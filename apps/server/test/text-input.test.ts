import { textMessages } from '@sluice/shared';
import { TRPCClientError } from '@trpc/client';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/routers/app-router';
import { credentialHeaders, startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;
afterEach(async () => {
  await stack?.close();
});

/** Rows in every table a client can write to, read from the SQLite file itself. */
function countRows(databasePath: string): Record<string, number> {
  const connection = new Database(databasePath, { readonly: true });
  try {
    const tables = ['plan_inputs', 'plans', 'settings', 'chat_sessions', 'chat_messages'];
    return Object.fromEntries(
      tables.map((table) => [
        table,
        (connection.prepare(`select count(*) as count from ${table}`).get() as { count: number })
          .count,
      ]),
    );
  } finally {
    connection.close();
  }
}

async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('the call was accepted');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const data = (error as TRPCClientError<AppRouter>).data as {
    code: string;
    fieldErrors: Record<string, string[]> | null;
  };
  return { code: data.code, fieldErrors: data.fieldErrors, message: (error as Error).message };
}

/** POSTs a body exactly as written: JSON escapes such as \ud800 and \u0000 reach the server. */
async function postRaw(path: string, body: string) {
  const response = await fetch(`${stack.url}/trpc/${path}`, {
    method: 'POST',
    // As the stack's admin: these calls test the text checks, not authentication.
    headers: {
      'content-type': 'application/json',
      ...credentialHeaders({ apiKey: stack.admin.apiKey }),
    },
    body,
  });
  const json = (await response.json()) as {
    error?: { message: string; data: { code: string; fieldErrors: Record<string, string[]> } };
  };
  return { status: response.status, error: json.error };
}

describe('text input with a NUL or a lone surrogate (real server, SQLite)', () => {
  it('refuses a plan whose fields hold them, naming each field, and writes nothing', async () => {
    stack = await startTestStack();
    const before = countRows(stack.databasePath);

    const viaClient = await refusal(
      stack.client.plan.create.mutate({ goals: 'Learn \ud800 Spanish' }),
    );
    expect(viaClient.code).toBe('BAD_REQUEST');
    expect(viaClient.fieldErrors).toEqual({ goals: [textMessages.loneSurrogate] });
    expect(viaClient.message).toContain(`goals: ${textMessages.loneSurrogate}`);

    const raw = await postRaw(
      'plan.create',
      String.raw`{"goals":"Learn\u0000Spanish","preferences":{"constraints":"evenings \udc00"},"model":"sluice/simulator"}`,
    );
    expect(raw.status).toBe(400);
    expect(raw.error?.data.code).toBe('BAD_REQUEST');
    expect(raw.error?.data.fieldErrors).toEqual({
      goals: [textMessages.nul],
      'preferences.constraints': [textMessages.loneSurrogate],
    });

    expect(countRows(stack.databasePath)).toEqual(before);
    expect((await stack.client.plan.list.query()).items).toEqual([]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses chat messages, session fields and settings that hold them, and writes nothing', async () => {
    stack = await startTestStack();
    const session = await stack.client.chat.createSession.mutate({ title: 'Clean' });
    const before = countRows(stack.databasePath);

    const send = await refusal(
      stack.client.chat.send.mutate({ sessionId: session.id, content: 'Hola\u0000' }),
    );
    expect(send).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { content: [textMessages.nul] },
    });

    const rawSend = await postRaw(
      'chat.send',
      JSON.stringify({ sessionId: session.id, content: 'x' }).replace('"x"', String.raw`"\ud83d"`),
    );
    expect(rawSend.status).toBe(400);
    expect(rawSend.error?.data.fieldErrors).toEqual({ content: [textMessages.loneSurrogate] });

    const create = await refusal(
      stack.client.chat.createSession.mutate({ title: 'Ok', systemPrompt: 'Be \udfff brief' }),
    );
    expect(create).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { systemPrompt: [textMessages.loneSurrogate] },
    });

    const update = await refusal(
      stack.client.chat.updateSession.mutate({ sessionId: session.id, character: 'A\u0000' }),
    );
    expect(update.fieldErrors).toEqual({ character: [textMessages.nul] });

    const settings = await refusal(
      stack.client.chat.updateSettings.mutate({ preSystemPrompt: '\ud800' }),
    );
    expect(settings.fieldErrors).toEqual({ preSystemPrompt: [textMessages.loneSurrogate] });

    const lookup = await refusal(stack.client.chat.getSession.query({ sessionId: '\u0000' }));
    expect(lookup).toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: { sessionId: [textMessages.nul] },
    });

    expect(countRows(stack.databasePath)).toEqual(before);
    const detail = await stack.client.chat.getSession.query({ sessionId: session.id });
    expect(detail.session).toMatchObject({ title: 'Clean', character: '' });
    expect(detail.messages).toEqual([]);
    expect(await stack.client.chat.settings.query()).toEqual({
      preSystemPrompt: '',
      postSystemPrompt: '',
    });
    expect(stack.simulator.requests).toHaveLength(0);
  });
});
