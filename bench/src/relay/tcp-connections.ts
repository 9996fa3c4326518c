import { readFile } from 'node:fs/promises';

const established = '01';

/**
 * Established loopback TCP connections whose local port is one of `ports`, read from
 * /proc/net/tcp: the server side of every connection, counted by the kernel.
 */
export async function countEstablished(ports: readonly number[]): Promise<Map<number, number>> {
  const counts = new Map(ports.map((port) => [port, 0]));
  let table: string;
  try {
    table = await readFile('/proc/net/tcp', 'utf8');
  } catch {
    return counts;
  }
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== established) continue;
    const port = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
    const count = counts.get(port);
    if (count !== undefined) counts.set(port, count + 1);
  }
  return counts;
}

/** Samples `countEstablished` every intervalMs; `stop` returns the peak per port. */
export function sampleConnections(ports: readonly number[], intervalMs = 1000) {
  const peaks = new Map(ports.map((port) => [port, 0]));
  let sampling: Promise<void> = Promise.resolve();
  const sample = () => {
    sampling = countEstablished(ports).then((counts) => {
      for (const [port, count] of counts) peaks.set(port, Math.max(peaks.get(port) ?? 0, count));
    });
  };
  const timer = setInterval(sample, intervalMs);
  return {
    async stop(): Promise<Map<number, number>> {
      clearInterval(timer);
      await sampling;
      return peaks;
    },
  };
}
