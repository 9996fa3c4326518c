import { setTimeout as delay } from 'node:timers/promises';

/** The time the simulator paces its streams by and stamps its records with. */
export interface SimulatorClock {
  /** Milliseconds, like `Date.now()`. */
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: SimulatorClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};
