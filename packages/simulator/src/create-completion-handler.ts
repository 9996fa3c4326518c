import type { IncomingMessage, ServerResponse } from 'node:http';
import { createErrorBody } from './create-error-body';
import { createGeneration } from './create-generation';
import { createGenerationId } from './create-generation-id';
import type { GenerationStatsStore } from './create-generation-stats';
import type { RequestLog, SimulatorRequestRecord } from './create-request-log';
import { createUsage } from './create-usage';
import { createWireFormat, type WireFormatName } from './create-wire-format';
import { hashText } from './hash-text';
import { type CompletionRequest, parseCompletionRequest } from './parse-completion-request';
import { type Fault, parseModel } from './parse-model';
import {
  type ParseRequest,
  parseMessagesRequest,
  parseResponsesRequest,
} from './parse-provider-request';
import { readBody } from './read-body';
import { sendCompletion } from './send-completion';
import { sendJson } from './send-json';
import { type SettledStatus, type StreamTiming, streamCompletion } from './stream-completion';

const bodyLimitBytes = 1024 * 1024;
const streamOnlyFaults: ReadonlySet<Fault['kind']> = new Set([
  'error-after',
  'error-only',
  'drop-after',
  'stall-after',
  'no-finish',
  'length-after',
  'split-utf8',
]);

export interface CompletionHandlerOptions {
  log: RequestLog;
  timing: StreamTiming;
  retryAfterSeconds: number;
  /** The API this route speaks. Default chat completions (OpenRouter). */
  format?: WireFormatName;
  /** Where finished and cancelled generations are billed, for `GET /generation`. */
  stats?: GenerationStatsStore;
}

const requestParsers: Record<WireFormatName, ParseRequest> = {
  'chat-completions': parseCompletionRequest,
  'anthropic-messages': parseMessagesRequest,
  'openai-responses': parseResponsesRequest,
};

type CompletionHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

function sendBadRequest(response: ServerResponse, message: string): void {
  sendJson(response, 400, createErrorBody(400, message));
}

/**
 * Handles `POST …/chat/completions` (or `/v1/messages`, `/v1/responses`): validate, record,
 * then fail, stream or answer in one piece, in the route's wire format.
 */
export function createCompletionHandler(options: CompletionHandlerOptions): CompletionHandler {
  const { log, timing, retryAfterSeconds, stats } = options;
  const format = options.format ?? 'chat-completions';
  const parseRequest = requestParsers[format];
  const statusFaultCounts = new Map<string, number>();

  /** Counts requests per model and messages; true while the fault's `x<N>` budget lasts. */
  const statusFaultApplies = (request: CompletionRequest, times: number | undefined): boolean => {
    const key = `${request.model}\n${hashText(JSON.stringify(request.messages))}`;
    const count = (statusFaultCounts.get(key) ?? 0) + 1;
    statusFaultCounts.set(key, count);
    return times === undefined || count <= times;
  };

  const sendStatusFault = (
    response: ServerResponse,
    record: SimulatorRequestRecord,
    status: number,
  ) => {
    log.update(record, { status: 'fault', endedAt: timing.clock.now() });
    const headers = status === 429 ? { 'retry-after': String(retryAfterSeconds) } : {};
    sendJson(response, status, createErrorBody(status), headers);
  };

  const respond = async (
    request: IncomingMessage,
    response: ServerResponse,
    completion: CompletionRequest & { forcedTool?: string },
    fault: Fault | undefined,
    faultName: string | undefined,
  ) => {
    const receivedAt = timing.clock.now();
    const identity = {
      id: createGenerationId(receivedAt),
      model: completion.model,
      created: Math.floor(receivedAt / 1000),
    };
    const applied =
      fault?.kind === 'status' && !statusFaultApplies(completion, fault.times) ? undefined : fault;
    const record: SimulatorRequestRecord = {
      id: identity.id,
      model: completion.model,
      body: completion.body,
      headers: request.headers,
      receivedAt,
      fault: applied === undefined ? undefined : faultName,
      text: '',
      status: 'streaming',
      clientAborted: false,
    };
    log.add(record);
    if (applied?.kind === 'status') return sendStatusFault(response, record, applied.status);

    const generation = createGeneration(completion, identity);
    let piecesSent = 0;
    let billed = false;
    const bill = (cancelled: boolean, finishReason: string | null) => {
      if (billed) return;
      billed = true;
      stats?.record({
        id: identity.id,
        model: completion.model,
        receivedAt,
        usage: createUsage(generation.promptTokens, piecesSent),
        cancelled,
        finishReason,
        streamed: completion.stream,
      });
    };
    const controller = new AbortController();
    response.on('close', () => {
      controller.abort();
      if (response.writableEnded || record.status !== 'streaming') return;
      bill(true, null);
      log.update(record, {
        status: 'client-aborted',
        clientAborted: true,
        endedAt: timing.clock.now(),
      });
    });
    const responseOptions = {
      response,
      signal: controller.signal,
      generation,
      wire: createWireFormat(format, identity, { forcedTool: completion.forcedTool }),
      fault: applied,
      timing,
      headers: { 'x-generation-id': identity.id },
      onContent: (text: string) => {
        piecesSent += 1;
        log.update(record, { text: record.text + text });
      },
      onSettled: (status: SettledStatus) => {
        bill(
          false,
          status === 'completed' ? 'stop' : applied?.kind === 'length-after' ? 'length' : 'error',
        );
        log.update(record, { status, endedAt: timing.clock.now() });
      },
    };
    try {
      await (completion.stream
        ? streamCompletion(responseOptions)
        : sendCompletion(responseOptions));
    } catch (error) {
      // A closed connection rejects pending writes and delays; the close handler recorded it.
      if (controller.signal.aborted) return;
      log.update(record, { status: 'fault', endedAt: timing.clock.now() });
      throw error;
    }
  };

  return async (request, response) => {
    const body = await readBody(request, bodyLimitBytes);
    if (!body.success) return sendJson(response, 413, createErrorBody(413, body.error));
    const completion = parseRequest(body.value);
    if (!completion.success) return sendBadRequest(response, completion.error);
    const model = parseModel(completion.value.model);
    if (!model.success) return sendBadRequest(response, model.error);
    const { fault, faultName } = model.value;
    if (!completion.value.stream && fault !== undefined && streamOnlyFaults.has(fault.kind)) {
      return sendBadRequest(
        response,
        `The fault "${faultName}" only applies to streaming requests ("stream": true)`,
      );
    }
    return respond(request, response, completion.value, fault, faultName);
  };
}
