import { TRPCClientError } from '@trpc/client';
import type { SubscriptionHandlers } from '../stream-connection';
import type {
  ChannelErrorInfo,
  ChannelRequest,
  OwnerMessage,
  TabMessage,
} from './channel-messages';

/** An error from the owner, made again the way the link reports it (codes, unreachable). */
export function errorFrom(info: ChannelErrorInfo): Error {
  if (info.code) {
    return TRPCClientError.from({
      error: {
        message: info.message,
        code: -32000,
        data: { code: info.code, httpStatus: info.httpStatus },
      },
    });
  }
  return TRPCClientError.from(
    info.unreachable ? new TypeError(info.message) : new Error(info.message),
  );
}

export interface ChannelClient {
  /** Follows one channel from `request.lastEventId`, with a tRPC subscription's callbacks. */
  subscribe(
    request: ChannelRequest,
    handlers: SubscriptionHandlers<unknown>,
  ): { unsubscribe(): void };
  /** A message from the owner of the connection. */
  receive(message: OwnerMessage): void;
  /** Opens every channel again from its last id (a new leader). */
  reopenAll(): void;
  /** Talks to another owner from now on, opening every channel there from its last id. */
  connect(post: (message: TabMessage) => void): void;
  /** Says goodbye to the owner (the tab is going away). */
  leave(): void;
  readonly tab: string;
}

/**
 * A tab's end of the shared connection: each channel it follows is opened at the owner
 * (the SharedWorker, or the leading tab) and its messages arrive here. Each channel keeps
 * the id of the last event it delivered, and each (re)opening has its own attempt number:
 * messages of an earlier attempt (an old leader's last words) are dropped, so reopening
 * from the last id repeats nothing.
 */
export function createChannelClient(options: {
  tab: string;
  post: (message: TabMessage) => void;
}): ChannelClient {
  const { tab } = options;
  let post = options.post;
  let counter = 0;
  const channels = new Map<
    string,
    { request: ChannelRequest; attempt: number; handlers: SubscriptionHandlers<unknown> }
  >();

  function open(key: string): void {
    const channel = channels.get(key);
    if (!channel) return;
    post({ type: 'open', tab, channel: key, attempt: channel.attempt, request: channel.request });
  }

  const client: ChannelClient = {
    tab,
    subscribe(request, handlers) {
      counter += 1;
      const key = `c${counter}`;
      channels.set(key, { request, attempt: 1, handlers });
      handlers.onConnectionStateChange({ state: 'connecting', error: null });
      open(key);
      return {
        unsubscribe() {
          if (channels.delete(key)) post({ type: 'close', tab, channel: key });
        },
      };
    },
    receive(envelope) {
      if (envelope.type !== 'channel' || envelope.tab !== tab) return;
      const channel = channels.get(envelope.channel);
      if (!channel || channel.attempt !== envelope.attempt) return;
      const { message } = envelope;
      switch (message.type) {
        case 'data':
          channel.request = { ...channel.request, lastEventId: message.id };
          channel.handlers.onData({ id: message.id, data: message.event });
          return;
        case 'state':
          channel.handlers.onConnectionStateChange({
            state: message.state,
            error: message.error ? errorFrom(message.error) : null,
          });
          return;
        case 'error':
          channels.delete(envelope.channel);
          channel.handlers.onError(errorFrom(message.error));
          return;
        case 'complete':
          channels.delete(envelope.channel);
          channel.handlers.onComplete();
          return;
      }
    },
    reopenAll() {
      for (const [key, channel] of channels) {
        channel.attempt += 1;
        channel.handlers.onConnectionStateChange({ state: 'connecting', error: null });
        open(key);
      }
    },
    connect(next) {
      post = next;
      client.reopenAll();
    },
    leave() {
      post({ type: 'bye', tab });
    },
  };
  return client;
}
