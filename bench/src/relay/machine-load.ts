import { readFile } from 'node:fs/promises';

/** Kernel ticks per second for /proc/stat (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** CPU time (ms) every process on the machine has used, from the first line of /proc/stat. */
export async function machineBusyMs(): Promise<number> {
  try {
    const stat = await readFile('/proc/stat', 'utf8');
    const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return ((user + nice + system + irq + softirq + steal) * 1000) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** Cores busy over `windowMs`, all processes together. */
export async function machineBusyCores(windowMs: number): Promise<number> {
  const before = await machineBusyMs();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return ((await machineBusyMs()) - before) / windowMs;
}
