import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as shared from '../index';
import { findTextProblem, textMessages, userText } from './user-text';

const badTexts = [
  { label: 'a NUL', value: 'run\u0000fast', message: textMessages.nul },
  { label: 'a lone high surrogate', value: 'run\ud800fast', message: textMessages.loneSurrogate },
  { label: 'a lone low surrogate', value: '\udc00', message: textMessages.loneSurrogate },
  { label: 'a pair cut at the end', value: 'plan \ud83d', message: textMessages.loneSurrogate },
  { label: 'a reversed pair', value: '\ude00\ud83d', message: textMessages.loneSurrogate },
];

describe('userText', () => {
  it.each([
    'plain text',
    'emoji 😀 and 𝄞 (surrogate pairs)',
    'U+FFFD \ufffd as sent',
    'tabs\tand\nnewlines\r\n',
    '',
  ])('accepts well-formed text: %j', (value) => {
    expect(findTextProblem(value)).toBeNull();
    expect(userText().parse(value)).toBe(value);
  });

  it.each(badTexts)('refuses $label with a readable message', ({ value, message }) => {
    const result = userText().safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([message]);
  });

  it('runs before the field rules chained after it', () => {
    const schema = userText().trim().min(1, 'Write something');
    expect(schema.parse('  ok  ')).toBe('ok');
    expect(schema.safeParse(' \u0000 ').error?.issues.map((issue) => issue.message)).toContain(
      textMessages.nul,
    );
  });
});

/** A valid input per client input schema, with every text field filled in. */
const validInputs: Record<string, unknown> = {
  createPlanInputSchema: {
    goals: 'Run a 10k',
    preferences: { hoursPerWeek: 4, startDate: '2026-12-01', constraints: 'Mornings only' },
    model: 'sluice/simulator',
  },
  continuePlanInputSchema: { planId: 'plan-1', model: 'sluice/simulator' },
  planIdInputSchema: { planId: 'plan-1' },
  planEventsInputSchema: { planId: 'plan-1', lastEventId: '10.2' },
  listPlansInputSchema: { cursor: 'cursor-1', limit: 10 },
  planPreferencesSchema: { constraints: 'Mornings only' },
  createChatSessionInputSchema: {
    title: 'Spanish',
    model: 'sluice/simulator',
    systemPrompt: 'Be brief',
    character: 'A teacher',
    userProfile: 'A beginner',
  },
  updateChatSessionInputSchema: {
    sessionId: 'session-1',
    title: 'Spanish',
    model: 'sluice/simulator',
    systemPrompt: 'Be brief',
    character: 'A teacher',
    userProfile: 'A beginner',
  },
  renameChatSessionInputSchema: { sessionId: 'session-1', title: 'Spanish' },
  chatSessionIdInputSchema: { sessionId: 'session-1' },
  chatArtifactIdInputSchema: { artifactId: 'artifact-1' },
  updateChatSettingsInputSchema: { preSystemPrompt: 'Before', postSystemPrompt: 'After' },
  sendChatMessageInputSchema: {
    sessionId: 'session-1',
    content: 'Hola',
    clientRequestId: 'request-1',
  },
  chatEventsInputSchema: { sessionId: 'session-1', lastEventId: 'message-1:3.1' },
  createApiKeyInputSchema: { name: 'My laptop' },
  apiKeyIdInputSchema: { id: 'key-1' },
  setUserQuotasInputSchema: { userId: 'user-1', plansPerMonth: 20, usdPerMonth: 'unlimited' },
  setProviderKeyInputSchema: { provider: 'openrouter', key: 'sk-or-v1-0123456789abcdef' },
  // No text fields.
  listChatSessionsInputSchema: { limit: 10 },
  updateAccountSettingsInputSchema: { allowSignUp: true },
  deleteProviderKeyInputSchema: { provider: 'openrouter' },
  activityInputSchema: { range: '24h' },
  streamWatchInputSchema: {
    channels: [{ kind: 'plan', id: 'plan-1', lastEventId: 'plan-1:3' }],
  },
};

const inputSchemas = Object.entries(shared as Record<string, unknown>).filter(
  (entry): entry is [string, z.ZodType] =>
    (entry[0].endsWith('InputSchema') || entry[0] === 'planPreferencesSchema') &&
    entry[1] instanceof z.ZodType,
);

/** Dotted paths of the string leaves of a value. */
function stringPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value === 'string') return [prefix];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, child]) => stringPaths(child, [...prefix, key]));
  return [];
}

/**
 * Dotted paths of the fields a JSON Schema allows to be free strings (formats like dates and
 * closed sets of names excluded).
 */
function schemaStringPaths(
  schema: unknown,
  prefix: Array<string | number> = [],
): Array<Array<string | number>> {
  const node = schema as {
    type?: string;
    format?: string;
    pattern?: string;
    enum?: unknown[];
    const?: unknown;
    properties?: Record<string, unknown>;
    items?: unknown;
    anyOf?: unknown[];
  };
  if (node.anyOf) return node.anyOf.flatMap((option) => schemaStringPaths(option, prefix));
  if (node.type === 'string')
    return node.format || node.pattern || node.enum || node.const !== undefined ? [] : [prefix];
  // An array's items: checked in its first element.
  if (node.type === 'array' && node.items) return schemaStringPaths(node.items, [...prefix, 0]);
  if (node.type === 'object' && node.properties)
    return Object.entries(node.properties).flatMap(([key, child]) =>
      schemaStringPaths(child, [...prefix, key]),
    );
  return [];
}

function withValueAt(input: unknown, path: Array<string | number>, value: string): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1) as string] = value;
  return copy;
}

describe('every client input schema', () => {
  /** The free-text fields of each schema, read from its JSON Schema (dates and other formats excluded). */
  const textFields = inputSchemas.map(([name, schema]) => ({
    name,
    schema,
    paths: schemaStringPaths(z.toJSONSchema(schema, { io: 'input' })),
  }));

  it('has a valid input here that fills every text field', () => {
    expect(inputSchemas.map(([name]) => name).sort()).toEqual(Object.keys(validInputs).sort());
    for (const { name, schema, paths } of textFields) {
      expect(schema.safeParse(validInputs[name]).success, name).toBe(true);
      const filled = stringPaths(validInputs[name]).map((path) => path.join('.'));
      expect(filled, name).toEqual(expect.arrayContaining(paths.map((path) => path.join('.'))));
    }
  });

  const cases = textFields.flatMap(({ name, schema, paths }) =>
    paths.flatMap((path) =>
      badTexts.map((bad) => ({ name, schema, path, field: path.join('.'), ...bad })),
    ),
  );
  it.each(cases)('$name refuses $label in $field', ({ schema, name, path, value, message }) => {
    const result = schema.safeParse(withValueAt(validInputs[name], path, value));
    expect(result.success).toBe(false);
    expect(result.error?.issues).toContainEqual(expect.objectContaining({ path, message }));
  });
});
