import type { ConnectionMode } from '../../lib/connection-fallback';

interface ChatConnectionStatusProps {
  mode: ConnectionMode;
  everLive: boolean;
  streaming: boolean;
}

export function chatConnectionText({ mode, everLive, streaming }: ChatConnectionStatusProps) {
  switch (mode) {
    case 'live':
      return streaming ? 'Live' : 'Connected';
    case 'reconnecting':
      return everLive ? 'Reconnecting…' : 'Connecting…';
    case 'polling':
      return 'Live updates unavailable — refreshing every few seconds';
    case 'offline':
      return "Can't reach the Sluice server. Retrying…";
  }
}

/** How this session gets its updates, in words (colour only repeats them). */
export function ChatConnectionStatus(props: ChatConnectionStatusProps) {
  return (
    <p
      className={`connection-status connection-${props.mode}`}
      data-testid="connection-status"
      data-state={props.mode}
    >
      <span className="connection-dot" aria-hidden="true" />
      {chatConnectionText(props)}
    </p>
  );
}
