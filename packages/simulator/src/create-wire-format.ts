import {
  type ChunkFactory,
  createChunkFactory,
  type FinishReason,
  type GenerationIdentity,
} from './create-chunk-factory';
import { createErrorOnlyPayload } from './create-error-body';
import type { Usage } from './create-usage';

/** The three upstream APIs the simulator speaks. */
export type WireFormatName = 'chat-completions' | 'anthropic-messages' | 'openai-responses';

/** One SSE event: an optional `event:` name and its `data:` payload. */
export interface StreamFrame {
  event?: string;
  data: object | '[DONE]';
}

export type { FinishReason };

/** The frames of one streamed generation in one API's wire format. */
export interface WireFormat {
  /** Written while waiting and between pieces (a comment, or Anthropic's `ping` event). */
  keepAlive: string;
  /** Before the first piece. */
  opening(): StreamFrame[];
  /** One piece of content. */
  content(text: string): StreamFrame;
  /** The end of a stream that finished, with its usage. */
  finish(reason: FinishReason, usage: Usage): StreamFrame[];
  /** An error reported with HTTP 200 after some content. */
  midstreamError(message: string): StreamFrame[];
  /** An error reported with HTTP 200 before any content. */
  errorOnly(): StreamFrame[];
  /** The whole response for `stream: false`. */
  completion(content: string, usage: Usage): object;
}

export interface WireFormatOptions {
  /** Anthropic: the request forced a tool, so the content streams as its JSON input. */
  forcedTool?: string;
}

function chatCompletions(chunks: ChunkFactory): WireFormat {
  return {
    keepAlive: ': OPENROUTER PROCESSING\n\n',
    opening: () => [{ data: chunks.content('') }],
    content: (text) => ({ data: chunks.content(text) }),
    finish: (reason, usage) => [
      { data: chunks.finish(reason) },
      { data: chunks.usage(usage) },
      { data: '[DONE]' },
    ],
    midstreamError: (message) => [{ data: chunks.midstreamError(message) }],
    errorOnly: () => [{ data: createErrorOnlyPayload() }],
    completion: (content, usage) => chunks.completion(content, usage),
  };
}

/** Anthropic Messages, field for field as anthropic-messages-basic.sse (and the tool-use capture). */
function anthropicMessages(identity: GenerationIdentity, options: WireFormatOptions): WireFormat {
  const id = identity.id.replace(/^gen-/, 'msg_');
  const tool = options.forcedTool;
  const frame = (data: { type: string } & Record<string, unknown>): StreamFrame => ({
    event: data.type,
    data,
  });
  const usageOf = (usage: Usage) => ({
    input_tokens: usage.prompt_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: usage.completion_tokens,
  });
  const message = (usage: Usage | undefined) => ({
    model: identity.model,
    id,
    type: 'message',
    role: 'assistant',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usage ? usageOf(usage) : { input_tokens: 0, output_tokens: 1 },
  });
  const stopReason = (reason: FinishReason) =>
    reason === 'length' ? 'max_tokens' : tool ? 'tool_use' : 'end_turn';
  return {
    keepAlive: 'event: ping\ndata: {"type": "ping"}\n\n',
    opening: () => [
      frame({ type: 'message_start', message: message(undefined) }),
      frame({
        type: 'content_block_start',
        index: 0,
        content_block: tool
          ? { type: 'tool_use', id: id.replace(/^msg_/, 'toolu_'), name: tool, input: {} }
          : { type: 'text', text: '' },
      }),
    ],
    content: (text) =>
      frame({
        type: 'content_block_delta',
        index: 0,
        delta: tool
          ? { type: 'input_json_delta', partial_json: text }
          : { type: 'text_delta', text },
      }),
    finish: (reason, usage) => [
      frame({ type: 'content_block_stop', index: 0 }),
      frame({
        type: 'message_delta',
        delta: { stop_reason: stopReason(reason), stop_sequence: null },
        usage: usageOf(usage),
      }),
      frame({ type: 'message_stop' }),
    ],
    midstreamError: (text) => [
      frame({ type: 'error', error: { details: null, type: 'api_error', message: text } }),
    ],
    errorOnly: () => [
      frame({
        type: 'error',
        error: { details: null, type: 'overloaded_error', message: 'Overloaded' },
      }),
    ],
    completion: (content, usage) => ({
      ...message(usage),
      content: tool
        ? [
            {
              type: 'tool_use',
              id: id.replace(/^msg_/, 'toolu_'),
              name: tool,
              input: JSON.parse(content),
            },
          ]
        : [{ type: 'text', text: content }],
      stop_reason: stopReason('stop'),
    }),
  };
}

/** OpenAI Responses, field for field as openai-responses-basic.sse. */
function openAIResponses(identity: GenerationIdentity): WireFormat {
  const id = identity.id.replace(/^gen-/, 'resp_');
  const itemId = id.replace(/^resp_/, 'msg_');
  let sequence = 0;
  const frame = (data: { type: string } & Record<string, unknown>): StreamFrame => ({
    event: data.type,
    data: { ...data, sequence_number: sequence++ },
  });
  const usageOf = (usage: Usage) => ({
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
  });
  const response = (status: string, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'response',
    created_at: identity.created,
    status,
    error: null,
    incomplete_details: null,
    model: identity.model,
    output: [],
    usage: null,
    ...extra,
  });
  const outputItem = (text: string, status: string) => ({
    type: 'message',
    id: itemId,
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  });
  let written = '';
  const failed = (code: string, message: string) => [
    frame({ type: 'error', code, message, param: null }),
    frame({ type: 'response.failed', response: response('failed', { error: { code, message } }) }),
  ];
  return {
    keepAlive: ': keep-alive\n\n',
    opening: () => [
      frame({ type: 'response.created', response: response('in_progress') }),
      frame({ type: 'response.in_progress', response: response('in_progress') }),
      frame({
        type: 'response.output_item.added',
        output_index: 0,
        item: { ...outputItem('', 'in_progress'), content: [] },
      }),
      frame({
        type: 'response.content_part.added',
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      }),
    ],
    content(text) {
      written += text;
      return frame({
        type: 'response.output_text.delta',
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: text,
      });
    },
    finish: (reason, usage) => [
      frame({
        type: 'response.output_text.done',
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        text: written,
      }),
      frame({
        type: 'response.output_item.done',
        output_index: 0,
        item: outputItem(written, 'completed'),
      }),
      reason === 'length'
        ? frame({
            type: 'response.incomplete',
            response: response('incomplete', {
              incomplete_details: { reason: 'max_output_tokens' },
              output: [outputItem(written, 'incomplete')],
              usage: usageOf(usage),
            }),
          })
        : frame({
            type: 'response.completed',
            response: response('completed', {
              output: [outputItem(written, 'completed')],
              usage: usageOf(usage),
            }),
          }),
    ],
    midstreamError: (message) => failed('server_error', message),
    errorOnly: () => failed('server_error', 'The simulated engine stopped before the first token.'),
    completion: (content, usage) =>
      response('completed', { output: [outputItem(content, 'completed')], usage: usageOf(usage) }),
  };
}

export function createWireFormat(
  name: WireFormatName,
  identity: GenerationIdentity,
  options: WireFormatOptions = {},
): WireFormat {
  switch (name) {
    case 'chat-completions':
      return chatCompletions(createChunkFactory(identity));
    case 'anthropic-messages':
      return anthropicMessages(identity, options);
    case 'openai-responses':
      return openAIResponses(identity);
  }
}

/** An SSE event as text. */
export function formatFrame(frame: StreamFrame): string {
  const data = frame.data === '[DONE]' ? frame.data : JSON.stringify(frame.data);
  return frame.event ? `event: ${frame.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
}
