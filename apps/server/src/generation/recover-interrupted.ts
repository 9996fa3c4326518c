import type { Logger } from 'pino';
import type { GenerationStore } from './generation-store';

/**
 * At boot, in one place for every kind of generation: rows left `generating` by a previous
 * process become `partial` (reason `server-restart`) through their store. Returns their ids
 * by kind.
 */
export async function recoverInterrupted(
  stores: Record<string, Pick<GenerationStore<{ type: string }>, 'recover'>>,
  logger: Logger,
): Promise<Record<string, string[]>> {
  const recovered: Record<string, string[]> = {};
  for (const [kind, store] of Object.entries(stores)) {
    recovered[kind] = await store.recover('server-restart');
  }
  if (Object.values(recovered).some((ids) => ids.length > 0)) {
    logger.warn(recovered, 'generations interrupted by a previous shutdown were marked partial');
  }
  return recovered;
}
