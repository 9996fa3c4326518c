import type { SimulatorClock } from '../src/index';

/**
 * A clock that only moves when the simulator sleeps: each sleep advances it by exactly
 * its duration and resolves on the next turn of the event loop. Timings measured on it
 * are exact, whatever the load on the machine.
 */
export function createVirtualClock(start = 0): SimulatorClock {
  let now = start;
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        now += ms;
        setImmediate(() => (signal.aborted ? reject(signal.reason) : resolve()));
      });
    },
  };
}
