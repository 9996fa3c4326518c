import type { ClientStream } from './client-stream';
import type { UpstreamStream } from './protocol';

export interface DeliveryMeasurement {
  streams: number;
  /** Streams whose client got the end event and whose text equals the upstream's, exactly. */
  exact: number;
  /** Streams whose text, finished or cut at the deadline, agrees with the upstream's (prefix). */
  intact: number;
  /** Streams the upstream finished (all K pieces, finish chunk, usage, [DONE]). */
  upstreamFinished: number;
  /** Upstream pieces whose text reached the client (within the correct prefix). */
  tokensDelivered: number;
  tokensSent: number;
  /** Per-piece delivery latency in ms, sorted: client receive time − upstream write time. */
  latencies: Float64Array;
  /** Client start → first text, ms, sorted. */
  firstText: Float64Array;
  /** Client start → accepted (plan.create answered / relay headers), ms, sorted. */
  accepted: Float64Array;
  /** Client start → event stream open, ms, sorted. */
  opened: Float64Array;
  reconnects: number;
  /** Upstream requests beyond one per stream (the server retried before the first token). */
  retried: number;
  /** A few failure descriptions, for the report. */
  problems: string[];
}

/**
 * The simulator records a `length-after-<K>` stream as 'fault' once it has sent all K
 * pieces, the finish chunk, usage and [DONE]; only a client abort means it was cut short.
 */
function isFinished(stream: UpstreamStream): boolean {
  return stream.status === 'completed' || (stream.status === 'fault' && !stream.clientAborted);
}

function commonPrefixLength(left: string, right: string): number {
  const limit = Math.min(left.length, right.length);
  let index = 0;
  while (index < limit && left.charCodeAt(index) === right.charCodeAt(index)) index += 1;
  return index;
}

/**
 * Matches each client stream to the simulator's record of it (by tag) and measures, for
 * every upstream piece, when the client first held text covering it.
 */
export function measureDelivery(
  clients: readonly ClientStream[],
  upstream: readonly UpstreamStream[],
): DeliveryMeasurement {
  // A stream the server retried has several upstream requests: its text came from the last.
  const upstreamByTag = new Map(upstream.map((stream) => [stream.tag, stream]));
  const retried = upstream.length - upstreamByTag.size;
  const latencies: number[] = [];
  const firstText: number[] = [];
  const accepted: number[] = [];
  const opened: number[] = [];
  const problems: string[] = [];
  let exact = 0;
  let intact = 0;
  let upstreamFinished = 0;
  let tokensDelivered = 0;
  let tokensSent = 0;
  let reconnects = 0;

  for (const client of clients) {
    reconnects += client.reconnects;
    if (client.acceptedAt !== undefined) accepted.push(client.acceptedAt - client.startedAt);
    if (client.openedAt !== undefined) opened.push(client.openedAt - client.startedAt);
    const source = upstreamByTag.get(client.tag);
    if (!source) {
      if (client.text === '') intact += 1;
      problems.push(`${client.tag}: no upstream request yet (${client.error ?? 'no error'})`);
      continue;
    }
    tokensSent += source.pieceEnds.length;
    const finished = isFinished(source);
    if (finished) upstreamFinished += 1;
    const isExact = client.ended && client.error === undefined && client.text === source.text;
    const correct = commonPrefixLength(client.text, source.text);
    const agrees = correct === Math.min(client.text.length, source.text.length);
    if (isExact && finished) exact += 1;
    else if (!agrees) {
      problems.unshift(
        `${client.tag}: TEXT DIVERGES at ${correct}: client …${JSON.stringify(client.text.slice(Math.max(0, correct - 20), correct + 20))} ` +
          `upstream …${JSON.stringify(source.text.slice(Math.max(0, correct - 20), correct + 20))}`,
      );
    } else {
      problems.push(
        `${client.tag}: ended=${client.ended} error=${client.error ?? '-'} ` +
          `text ${client.text.length}/${source.text.length} chars (agree on ${correct}), upstream ${source.status}`,
      );
    }
    const firstTime = client.receiptTimes[0];
    if (firstTime !== undefined) firstText.push(firstTime - client.startedAt);

    // A stream cut at the deadline may hold a piece whose write the simulator never saw
    // complete, so either text may be the longer one; anything else is corruption.
    if (agrees) intact += 1;
    let receipt = 0;
    for (let piece = 0; piece < source.pieceEnds.length; piece++) {
      const end = source.pieceEnds[piece] as number;
      if (end > correct) break;
      while (receipt < client.receiptEnds.length && (client.receiptEnds[receipt] as number) < end) {
        receipt += 1;
      }
      const receivedAt = client.receiptTimes[receipt];
      if (receivedAt === undefined) break;
      tokensDelivered += 1;
      latencies.push(receivedAt - (source.pieceTimes[piece] as number));
    }
  }
  return {
    streams: clients.length,
    exact,
    intact,
    upstreamFinished,
    tokensDelivered,
    tokensSent,
    latencies: Float64Array.from(latencies).sort(),
    firstText: Float64Array.from(firstText).sort(),
    accepted: Float64Array.from(accepted).sort(),
    opened: Float64Array.from(opened).sort(),
    reconnects,
    retried,
    problems,
  };
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] as number;
}
