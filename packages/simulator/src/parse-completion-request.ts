export const simulatorModel = 'sluice/simulator';

export interface ChatMessage {
  role: string;
  content: unknown;
}

/** The parts of a chat completion request body that the simulator reads. */
export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  responseFormatType: string | undefined;
  /** The parsed body, kept whole for the request record. */
  body: Record<string, unknown>;
}

export type ParseCompletionRequestResult =
  | { success: true; value: CompletionRequest }
  | { success: false; error: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(value: unknown): value is ChatMessage {
  return isObject(value) && typeof value.role === 'string';
}

function parseJson(
  text: string,
): { success: true; value: unknown } | { success: false; error: string } {
  try {
    return { success: true, value: JSON.parse(text) };
  } catch (error) {
    return { success: false, error: `Invalid JSON in request body: ${(error as Error).message}` };
  }
}

/** Validates like OpenRouter does: a JSON object with a non-empty `messages` array. */
export function parseCompletionRequest(text: string): ParseCompletionRequestResult {
  const parsed = parseJson(text);
  if (!parsed.success) return parsed;
  const body = parsed.value;
  if (!isObject(body)) return { success: false, error: 'The request body must be a JSON object' };
  const {
    messages,
    model = simulatorModel,
    stream = false,
    response_format: responseFormat,
  } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { success: false, error: 'Input required: specify "prompt" or "messages"' };
  }
  if (!messages.every(isMessage)) {
    return { success: false, error: 'Every message must be an object with a string "role"' };
  }
  if (typeof model !== 'string' || model === '') {
    return { success: false, error: '"model" must be a non-empty string' };
  }
  if (typeof stream !== 'boolean') return { success: false, error: '"stream" must be a boolean' };
  const responseFormatType =
    isObject(responseFormat) && typeof responseFormat.type === 'string'
      ? responseFormat.type
      : undefined;
  return { success: true, value: { model, messages, stream, responseFormatType, body } };
}

/** The text of a message whose content is a string or an array of `{ type: 'text', text }` parts. */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  return message.content
    .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

export function lastUserMessageText(messages: readonly ChatMessage[]): string {
  const message = messages.findLast((candidate) => candidate.role === 'user');
  return message === undefined ? '' : messageText(message);
}

const planRequestPatterns = [
  /\b(month|monthly|weekly|four-week|4-week)\b[^.]*\bplan\b/i,
  /\bplan\b[^.]*\bjson\b/i,
];

/**
 * Structured output, or a system or user message that asks for a (monthly) plan, gets a
 * plan document; anything else gets prose.
 */
export function wantsPlan(request: CompletionRequest): boolean {
  if (
    request.responseFormatType === 'json_schema' ||
    request.responseFormatType === 'json_object'
  ) {
    return true;
  }
  return request.messages.some(
    (message) =>
      (message.role === 'system' || message.role === 'user') &&
      planRequestPatterns.some((pattern) => pattern.test(messageText(message))),
  );
}

/** A system message that asks for an HTML experiment (Sluice's experiment sessions). */
export function wantsExperiment(messages: readonly ChatMessage[]): boolean {
  return messages.some((message) => {
    if (message.role !== 'system') return false;
    const text = messageText(message);
    return /\bexperiment\b/i.test(text) && /\bhtml\b/i.test(text);
  });
}
