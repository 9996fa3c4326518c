/**
 * Worker: the upstream simulator in its own process. It notes when every piece of every
 * completion has been written to the socket, so the bench can measure delivery latency.
 */
import { type SimulatorRequestRecord, startSimulator } from '@sluice/simulator';
import { createProcessProbe } from './process-probe';
import type { CollectRequest, ServerInfo, UpstreamStream } from './protocol';
import { runWorker, serveWorker } from './serve-worker';
import { findStreamTag } from './stream-tag';

interface Trace {
  length: number;
  ends: number[];
  times: number[];
}

/** setTimeout's largest delay: the observer below never times out during a bench. */
const neverMs = 2_147_483_647;

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && process.env[name] !== '' ? value : fallback;
}

runWorker(async () => {
  const probe = createProcessProbe();
  const simulator = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    tokensPerSecond: numberFromEnv('BENCH_TOKENS_PER_SECOND', 20),
    firstTokenDelayMs: numberFromEnv('BENCH_FIRST_TOKEN_DELAY_MS', 200),
    keepAliveIntervalMs: numberFromEnv('BENCH_KEEP_ALIVE_INTERVAL_MS', 300),
  });

  // The request log re-checks pending waitFor predicates on every change to a record
  // (each piece appends to `text` right after its write completed). A predicate that
  // never matches is therefore a per-piece write observer, without touching the simulator.
  const traces = new Map<SimulatorRequestRecord, Trace>();
  const observe = (record: SimulatorRequestRecord): boolean => {
    let trace = traces.get(record);
    if (!trace) {
      trace = { length: 0, ends: [], times: [] };
      traces.set(record, trace);
    }
    if (record.text.length > trace.length) {
      trace.length = record.text.length;
      trace.ends.push(trace.length);
      trace.times.push(performance.timeOrigin + performance.now());
    }
    return false;
  };
  simulator.waitFor(observe, neverMs).catch(() => undefined);

  const collect = (payload: unknown): UpstreamStream[] => {
    const { tagPrefix } = payload as CollectRequest;
    const streams: UpstreamStream[] = [];
    for (const record of simulator.requests) {
      const tag = findStreamTag(JSON.stringify(record.body));
      if (tag === undefined || !tag.startsWith(tagPrefix)) continue;
      const trace = traces.get(record) ?? { length: 0, ends: [], times: [] };
      streams.push({
        tag,
        status: record.status,
        clientAborted: record.clientAborted,
        text: record.text,
        pieceEnds: Int32Array.from(trace.ends),
        pieceTimes: Float64Array.from(trace.times),
      });
    }
    return streams;
  };

  const url = new URL(simulator.url);
  const info: ServerInfo = { url: simulator.url, port: Number(url.port) };
  serveWorker(info, {
    collect,
    usage: () => probe.usage(),
    async close() {
      await simulator.close();
      setImmediate(() => process.exit(0));
    },
  });
});
