import type { ConnectionMode } from '../lib/connection-fallback';

interface ConnectionStatusProps {
  mode: ConnectionMode;
  /** The page has been live at least once: "Reconnecting…" rather than "Connecting…". */
  everLive: boolean;
  /** Text is streaming in: live says "Live". */
  streaming: boolean;
  /** What live says while nothing streams in ("Up to date", "Connected"). */
  idleLabel: string;
}

export function connectionText({ mode, everLive, streaming, idleLabel }: ConnectionStatusProps) {
  switch (mode) {
    case 'live':
      return streaming ? 'Live' : idleLabel;
    case 'reconnecting':
      return everLive ? 'Reconnecting…' : 'Connecting…';
    case 'polling':
      return 'Live updates unavailable — refreshing every few seconds';
    case 'offline':
      return "Can't reach the Sluice server. Retrying…";
  }
}

/** What a screen reader hears when the page falls back (the status line itself is not live). */
export const connectionAnnouncements: Readonly<Partial<Record<ConnectionMode, string>>> = {
  polling: 'Live updates unavailable; refreshing every few seconds.',
  offline: "Can't reach the Sluice server. Retrying.",
};

/** How this page gets its updates, in words (colour only repeats them). */
export function ConnectionStatus(props: ConnectionStatusProps) {
  return (
    <p
      className={`connection-status connection-${props.mode}`}
      data-testid="connection-status"
      data-state={props.mode}
    >
      <span className="connection-dot" aria-hidden="true" />
      {connectionText(props)}
    </p>
  );
}
