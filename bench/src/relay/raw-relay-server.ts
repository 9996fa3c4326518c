import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';
import { planCompletionBody } from './plan-completion-body';
import { benchGoals, benchModel } from './stream-tag';

export interface RawRelayOptions {
  /** The upstream base URL, ending before `/chat/completions`. */
  upstreamUrl: string;
}

interface CompletionChunk {
  choices?: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }>;
}

const eventStreamHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/**
 * The baseline: the least a relay can do. `GET /stream?tag=…&pieces=K` posts a plan
 * request upstream and writes every content delta to the client as an SSE event with
 * an id. No persistence, no document parsing, no replay.
 */
export function createRawRelayServer(options: RawRelayOptions): Server {
  const completionsUrl = `${options.upstreamUrl.replace(/\/+$/, '')}/chat/completions`;

  async function relay(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://relay');
    if (request.method !== 'GET' || url.pathname !== '/stream') {
      response.writeHead(404).end();
      return;
    }
    const tag = url.searchParams.get('tag') ?? 'untagged';
    const pieces = Number(url.searchParams.get('pieces') ?? '0');
    const model = pieces > 0 ? benchModel(pieces) : 'sluice/simulator';
    const controller = new AbortController();
    response.on('close', () => controller.abort());

    const upstream = await fetch(completionsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: planCompletionBody(model, benchGoals(tag)),
      signal: controller.signal,
    });
    if (!upstream.ok || !upstream.body) {
      response.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream ${upstream.status}`);
      return;
    }
    response.writeHead(200, eventStreamHeaders);

    let sequence = 0;
    let finishReason = 'none';
    const parser = createParser({
      onEvent(event) {
        if (event.data === '[DONE]') return;
        const choice = (JSON.parse(event.data) as CompletionChunk).choices?.[0];
        const content = choice?.delta?.content;
        if (typeof content === 'string' && content !== '') {
          sequence += 1;
          response.write(`id: ${sequence}\ndata: ${JSON.stringify(content)}\n\n`);
        }
        if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of upstream.body) parser.feed(decoder.decode(bytes, { stream: true }));
    parser.feed(decoder.decode());
    response.end(`event: end\ndata: ${JSON.stringify({ finishReason })}\n\n`);
  }

  return createServer((request, response) => {
    relay(request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else response.writeHead(502).end();
    });
  });
}
