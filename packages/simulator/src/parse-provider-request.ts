import {
  type ChatMessage,
  type CompletionRequest,
  type ParseCompletionRequestResult,
  simulatorModel,
} from './parse-completion-request';

/** A request in another API's shape, read into the simulator's one. */
export type ParseProviderRequestResult =
  | { success: true; value: CompletionRequest & { forcedTool?: string } }
  | { success: false; error: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(
  text: string,
): { success: true; value: Record<string, unknown> } | { success: false; error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return { success: true, value };
    return { success: false, error: 'The request body must be a JSON object' };
  } catch (error) {
    return { success: false, error: `Invalid JSON in request body: ${(error as Error).message}` };
  }
}

function common(body: Record<string, unknown>): { model: string; stream: boolean } | string {
  const { model = simulatorModel, stream = false } = body;
  if (typeof model !== 'string' || model === '') return '"model" must be a non-empty string';
  if (typeof stream !== 'boolean') return '"stream" must be a boolean';
  return { model, stream };
}

/**
 * Anthropic Messages (`POST /v1/messages`): `system`, `messages` and the required
 * `max_tokens`; a forced tool (`tool_choice: {type: "tool"}`) asks for structured output.
 */
export function parseMessagesRequest(text: string): ParseProviderRequestResult {
  const parsed = parseObject(text);
  if (!parsed.success) return parsed;
  const body = parsed.value;
  const shared = common(body);
  if (typeof shared === 'string') return { success: false, error: shared };
  if (typeof body.max_tokens !== 'number') {
    return { success: false, error: 'max_tokens: Field required' };
  }
  const { messages, system, tool_choice: toolChoice } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { success: false, error: 'messages: at least one message is required' };
  }
  if (!messages.every((message) => isObject(message) && typeof message.role === 'string')) {
    return { success: false, error: 'messages: every message needs a role' };
  }
  const all: ChatMessage[] = [
    ...(typeof system === 'string' && system !== '' ? [{ role: 'system', content: system }] : []),
    ...(messages as ChatMessage[]),
  ];
  const forcedTool =
    isObject(toolChoice) && toolChoice.type === 'tool' && typeof toolChoice.name === 'string'
      ? toolChoice.name
      : undefined;
  return {
    success: true,
    value: {
      ...shared,
      messages: all,
      responseFormatType: forcedTool ? 'json_schema' : undefined,
      body,
      forcedTool,
    },
  };
}

/** OpenAI Responses (`POST /v1/responses`): `instructions`, `input` and `text.format`. */
export function parseResponsesRequest(text: string): ParseProviderRequestResult {
  const parsed = parseObject(text);
  if (!parsed.success) return parsed;
  const body = parsed.value;
  const shared = common(body);
  if (typeof shared === 'string') return { success: false, error: shared };
  const { input, instructions } = body;
  const items: ChatMessage[] =
    typeof input === 'string'
      ? [{ role: 'user', content: input }]
      : Array.isArray(input)
        ? input.filter(
            (item): item is ChatMessage => isObject(item) && typeof item.role === 'string',
          )
        : [];
  if (items.length === 0) return { success: false, error: "Missing required parameter: 'input'." };
  const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : undefined;
  return {
    success: true,
    value: {
      ...shared,
      messages: [
        ...(typeof instructions === 'string' && instructions !== ''
          ? [{ role: 'system', content: instructions }]
          : []),
        ...items,
      ],
      responseFormatType: typeof format?.type === 'string' ? format.type : undefined,
      body,
    },
  };
}

export type ParseRequest = (
  text: string,
) => ParseProviderRequestResult | ParseCompletionRequestResult;
