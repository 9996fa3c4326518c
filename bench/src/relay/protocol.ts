/** Messages between the bench (parent) and its worker processes, over Node's IPC channel. */

/** Sent once by a worker when it is ready to serve. */
export interface WorkerReadyMessage<TInfo> {
  type: 'ready';
  info: TInfo;
}

export interface WorkerRequestMessage {
  type: 'request';
  id: number;
  name: string;
  payload?: unknown;
}

export type WorkerResponseMessage =
  | { type: 'response'; id: number; success: true; value: unknown }
  | { type: 'response'; id: number; success: false; error: string };

/** What a worker's own probe reports: CPU since the worker started, memory now and at peak. */
export interface ProcessUsage {
  /** performance.timeOrigin + performance.now() in the worker, in ms. */
  at: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Highest sampled values since the last `reset-peaks`. */
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  /** The kernel's peak resident set (ru_maxrss) over the process's whole life. */
  lifetimeMaxRssBytes: number;
  /** Event-loop delay since the last `reset-peaks` (perf_hooks, 20 ms resolution), in ms. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

/** A server under test: its base URL and the port its clients connect to. */
export interface ServerInfo {
  url: string;
  port: number;
}

/** One upstream completion as the simulator wrote it, with the time of every piece. */
export interface UpstreamStream {
  tag: string;
  status: string;
  clientAborted: boolean;
  /** Exactly the content written to the socket. */
  text: string;
  /** Cumulative text length (UTF-16 units) after each piece, in write order. */
  pieceEnds: Int32Array;
  /** Wall-clock time (ms, sub-ms precision) each piece had been written to the socket. */
  pieceTimes: Float64Array;
}

export interface CollectRequest {
  /** Only streams whose tag starts with this prefix. */
  tagPrefix: string;
}
