import type { ServerResponse } from 'node:http';
import { createEventWriter, type EventWriter } from './create-event-writer';
import type { Generation } from './create-generation';
import { createUsage } from './create-usage';
import type { FinishReason, StreamFrame, WireFormat } from './create-wire-format';
import type { Fault } from './parse-model';
import type { SimulatorClock } from './simulator-clock';

export interface StreamTiming {
  tokensPerSecond: number;
  firstTokenDelayMs: number;
  keepAliveIntervalMs: number;
  clock: SimulatorClock;
}

export type SettledStatus = 'completed' | 'fault';

export interface ResponseOptions {
  response: ServerResponse;
  /** Aborted when the connection closes; every timer and pending write stops with it. */
  signal: AbortSignal;
  generation: Generation;
  /** The API the response speaks. */
  wire: WireFormat;
  fault: Fault | undefined;
  timing: StreamTiming;
  /** Called with each piece of content once it has been written to the socket. */
  onContent(text: string): void;
  /** Called with the outcome just before the response ends or the socket is dropped. */
  onSettled(status: SettledStatus): void;
  /** Extra response headers (OpenRouter's `X-Generation-Id`). */
  headers?: Record<string, string>;
}

const eventStreamHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const slowFactor = 10;

export function millisecondsPerPiece(timing: StreamTiming, fault: Fault | undefined): number {
  return (1000 / timing.tokensPerSecond) * (fault?.kind === 'slow' ? slowFactor : 1);
}

/** How many pieces to send before the fault interrupts the stream. */
function piecesBeforeFault(fault: Fault | undefined, total: number): number {
  return fault !== undefined && 'pieces' in fault ? Math.min(fault.pieces, total) : total;
}

/** Waits until `time`, writing a keep-alive comment whenever the interval has passed. */
function createPacer(writer: EventWriter, timing: StreamTiming, signal: AbortSignal) {
  const { clock } = timing;
  let lastKeepAliveAt = Number.NEGATIVE_INFINITY;
  return async function waitUntil(time: number): Promise<void> {
    for (;;) {
      if (clock.now() - lastKeepAliveAt >= timing.keepAliveIntervalMs) {
        lastKeepAliveAt = clock.now();
        await writer.keepAlive();
      }
      const remaining = time - clock.now();
      if (remaining <= 0) return;
      const untilKeepAlive = lastKeepAliveAt + timing.keepAliveIntervalMs - clock.now();
      await clock.sleep(Math.max(0, Math.min(remaining, untilKeepAlive)), signal);
    }
  };
}

/**
 * Streams a generation in the wire format's frames (for OpenRouter: `: OPENROUTER
 * PROCESSING` comments, an empty first delta, one chunk per piece, the finish chunk, a usage
 * chunk with `choices: []`, `[DONE]`), bent by the fault if there is one.
 */
export async function streamCompletion(options: ResponseOptions): Promise<void> {
  const { response, signal, generation, wire, fault, timing } = options;
  const { pieces, promptTokens } = generation;
  const writer = createEventWriter(response, {
    signal,
    splitUtf8: fault?.kind === 'split-utf8',
    keepAlive: wire.keepAlive,
  });
  const waitUntil = createPacer(writer, timing, signal);

  const endWith = async (status: SettledStatus, frames: readonly StreamFrame[]) => {
    for (const frame of frames) await writer.frame(frame);
    options.onSettled(status);
    response.end();
  };
  const finishWith = (status: SettledStatus, reason: FinishReason, completionTokens: number) =>
    endWith(status, wire.finish(reason, createUsage(promptTokens, completionTokens)));

  response.writeHead(200, { ...eventStreamHeaders, ...options.headers });
  const firstTokenAt = timing.clock.now() + timing.firstTokenDelayMs;
  await waitUntil(firstTokenAt);
  if (fault?.kind === 'error-only') return endWith('fault', wire.errorOnly());

  for (const frame of wire.opening()) await writer.frame(frame);
  const sent = piecesBeforeFault(fault, pieces.length);
  const interval = millisecondsPerPiece(timing, fault);
  for (const [index, piece] of pieces.slice(0, sent).entries()) {
    await waitUntil(firstTokenAt + index * interval);
    await writer.frame(wire.content(piece));
    options.onContent(piece);
  }

  switch (fault?.kind) {
    case 'error-after':
      return endWith('fault', wire.midstreamError('Provider disconnected unexpectedly'));
    case 'drop-after':
      options.onSettled('fault');
      response.destroy();
      return;
    case 'stall-after':
      // Nothing more, not even keep-alives: the close handler records the client leaving.
      return;
    case 'no-finish':
      return endWith('fault', []);
    case 'length-after':
      return finishWith('fault', 'length', sent);
    default:
      return finishWith('completed', 'stop', sent);
  }
}
