import type { StreamChannelKind } from '@sluice/shared';

/** One stream a tab follows over the shared connection. */
export interface ChannelRequest {
  kind: StreamChannelKind;
  id: string;
  lastEventId: string | null;
}

/** An error as it crosses from the connection's owner to a tab (errors do not clone). */
export interface ChannelErrorInfo {
  message: string;
  /** The tRPC code (`NOT_FOUND`, `UNAUTHORIZED`…), when the server answered one. */
  code?: string;
  httpStatus?: number;
  /** No answer from the server at all (`Failed to fetch`). */
  unreachable?: boolean;
}

/** What the owner of the connection tells a tab about one of its channels. */
export type ChannelMessage =
  | { type: 'data'; id: string; event: unknown }
  | { type: 'state'; state: 'connecting' | 'pending'; error: ChannelErrorInfo | null }
  | { type: 'error'; error: ChannelErrorInfo }
  | { type: 'complete' };

/** A tab's side of the protocol, to whoever holds the connection. */
export type TabMessage =
  | { type: 'open'; tab: string; channel: string; attempt: number; request: ChannelRequest }
  | { type: 'close'; tab: string; channel: string }
  | { type: 'bye'; tab: string };

/** The owner's side. `attempt` matches the tab's latest `open` of that channel. */
export type OwnerMessage =
  | { type: 'channel'; tab: string; channel: string; attempt: number; message: ChannelMessage }
  /** A new leader (fallback path): every tab opens its channels again from their last ids. */
  | { type: 'hello'; leader: string };
