export type SimulatorRequestStatus = 'streaming' | 'completed' | 'client-aborted' | 'fault';

export interface SimulatorRequestRecord {
  /** The generation id sent in chunks (`gen-…`). */
  readonly id: string;
  /** The model id as requested, fault suffix included. */
  readonly model: string;
  /** The parsed JSON request body. */
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly receivedAt: number;
  readonly endedAt?: number;
  /** The fault applied to this request (`status-429x2`, `drop-after-5`, …), if any. */
  readonly fault?: string;
  /** Exactly the concatenation of every `delta.content` string written to the socket. */
  readonly text: string;
  readonly status: SimulatorRequestStatus;
  /** True when the client closed the connection before the response ended. */
  readonly clientAborted: boolean;
}

export type RequestPredicate = (record: SimulatorRequestRecord) => boolean;

export interface RequestLog {
  readonly records: readonly SimulatorRequestRecord[];
  add(record: SimulatorRequestRecord): void;
  /** Changes a record in place (records are live) and wakes matching waiters. */
  update(record: SimulatorRequestRecord, changes: Partial<SimulatorRequestRecord>): void;
  waitFor(predicate: RequestPredicate, timeoutMs: number): Promise<SimulatorRequestRecord>;
  /** Rejects every pending `waitFor`. */
  close(): void;
}

interface Waiter {
  predicate: RequestPredicate;
  resolve(record: SimulatorRequestRecord): void;
  reject(error: Error): void;
}

export function createRequestLog(): RequestLog {
  const records: SimulatorRequestRecord[] = [];
  const waiters = new Set<Waiter>();

  const notify = (record: SimulatorRequestRecord) => {
    for (const waiter of waiters) {
      if (waiter.predicate(record)) waiter.resolve(record);
    }
  };

  return {
    records,
    add(record) {
      records.push(record);
      notify(record);
    },
    update(record, changes) {
      Object.assign(record, changes);
      notify(record);
    },
    waitFor(predicate, timeoutMs) {
      const existing = records.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const settle = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const waiter: Waiter = {
          predicate,
          resolve: (record) => {
            settle();
            resolve(record);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        };
        const timer = setTimeout(
          () => waiter.reject(new Error(`No simulator request matched within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.add(waiter);
      });
    },
    close() {
      for (const waiter of waiters) waiter.reject(new Error('The simulator was closed'));
    },
  };
}
