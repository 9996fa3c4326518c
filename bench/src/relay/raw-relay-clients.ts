import { createParser } from 'eventsource-parser';
import {
  type ClientStream,
  createClientStream,
  createOpenCounter,
  delayUntil,
  errorMessage,
  type LoadOptions,
  type LoadResult,
  receiveText,
  wallClock,
} from './client-stream';
import { streamTag } from './stream-tag';

/** Reads one relay stream with plain fetch and eventsource-parser. */
async function readStream(
  stream: ClientStream,
  url: string,
  signal: AbortSignal,
  counter: ReturnType<typeof createOpenCounter>,
): Promise<void> {
  const response = await fetch(url, { signal, headers: { accept: 'text/event-stream' } });
  if (!response.ok || !response.body) throw new Error(`relay answered HTTP ${response.status}`);
  stream.acceptedAt = wallClock();
  stream.openedAt = stream.acceptedAt;
  counter.opened();
  try {
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'end') {
          stream.ended = true;
          stream.endStatus = (JSON.parse(event.data) as { finishReason: string }).finishReason;
          return;
        }
        receiveText(stream, stream.text + (JSON.parse(event.data) as string));
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of response.body) parser.feed(decoder.decode(bytes, { stream: true }));
    parser.feed(decoder.decode());
  } finally {
    counter.closed();
  }
}

/** N clients of the raw relay, started evenly over the ramp. */
export async function runRawRelayClients(options: LoadOptions): Promise<LoadResult> {
  const counter = createOpenCounter();
  const start = wallClock();
  const streams = Array.from({ length: options.streams }, (_, index) =>
    createClientStream(streamTag(options.runId, index)),
  );
  await Promise.all(
    streams.map(async (stream, index) => {
      await delayUntil(start + (options.rampMs * index) / options.streams, options.signal);
      if (options.signal.aborted) return;
      stream.startedAt = wallClock();
      const url = `${options.url}/stream?tag=${stream.tag}&pieces=${options.pieces}`;
      try {
        await readStream(stream, url, options.signal, counter);
        if (!stream.ended) stream.error ??= 'the stream closed without its end event';
      } catch (error) {
        stream.error = options.signal.aborted ? 'deadline' : errorMessage(error);
      }
    }),
  );
  return { streams, peakOpenStreams: counter.peak };
}
