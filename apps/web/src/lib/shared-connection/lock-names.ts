/** Held by the leading tab (where SharedWorker is missing): it owns the event connection. */
export const leaderLockName = 'sluice:event-connection';

/** Held by each tab for its lifetime, so the owner learns when it is gone. */
export function tabLockName(tab: string): string {
  return `sluice:tab:${tab}`;
}

/** The BroadcastChannel between the leading tab and the others. */
export const broadcastChannelName = 'sluice:event-connection';
