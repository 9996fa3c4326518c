import type { ConnectionMode } from './plan-stream-store';

interface ConnectionStatusProps {
  mode: ConnectionMode;
  everLive: boolean;
  generating: boolean;
}

export function connectionText({ mode, everLive, generating }: ConnectionStatusProps): string {
  switch (mode) {
    case 'live':
      return generating ? 'Live' : 'Up to date';
    case 'reconnecting':
      return everLive ? 'Reconnecting…' : 'Connecting…';
    case 'polling':
      return 'Live updates unavailable — refreshing every few seconds';
    case 'offline':
      return "Can't reach the Sluice server. Retrying…";
  }
}

/** How this page gets its updates, in words. */
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
