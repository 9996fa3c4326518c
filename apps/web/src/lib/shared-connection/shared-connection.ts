import type { SubscriptionHandlers } from '../stream-connection';
import { type ChannelClient, createChannelClient } from './channel-client';
import type { ChannelRequest, OwnerMessage, TabMessage } from './channel-messages';
import { type ChannelOwner, createChannelOwner } from './channel-owner';
import { createWatchSubscribe } from './create-watch-subscribe';
import { broadcastChannelName, leaderLockName, tabLockName } from './lock-names';
import { createWatchMultiplexer } from './watch-multiplexer';

/**
 * How this tab reaches the browser's one event connection: through the SharedWorker, as
 * the leading tab that holds it, as another tab talking to the leader, or (neither
 * SharedWorker nor Web Locks) with a connection of its own.
 */
export type ConnectionPath = 'shared-worker' | 'leader' | 'follower' | 'own';

export interface SharedConnection {
  /** Follows one plan or chat session, with a tRPC subscription's callbacks. */
  subscribe(
    request: ChannelRequest,
    handlers: SubscriptionHandlers<unknown>,
  ): { unsubscribe(): void };
  readonly path: ConnectionPath;
}

function newTabId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function markPath(path: ConnectionPath): void {
  // Says which path this tab took (the browser tests read it).
  document.documentElement.dataset.eventConnection = path;
}

/** A connection of this tab's own: the same multiplexer, no other tab. */
function connectOwn(client: ChannelClient): void {
  const owner = createChannelOwner({
    multiplexer: createWatchMultiplexer({ subscribe: createWatchSubscribe() }),
    post: (_tab, message) => client.receive(message),
  });
  client.connect((message) => owner.receive(message));
}

function connectSharedWorker(client: ChannelClient): void {
  const worker = new SharedWorker(new URL('./shared-connection-worker.ts', import.meta.url), {
    type: 'module',
    name: 'sluice-event-connection',
  });
  worker.port.onmessage = (event: MessageEvent<OwnerMessage>) => client.receive(event.data);
  worker.port.start();
  client.connect((message) => worker.port.postMessage(message));
}

/**
 * Leader election with Web Locks: the tab holding the lock owns the connection, the others
 * talk to it over a BroadcastChannel. When it goes, the next tab in line gets the lock,
 * says hello, and every tab opens its channels there again from their last ids.
 */
function connectThroughLeader(
  client: ChannelClient,
  setPath: (path: ConnectionPath) => void,
): void {
  const channel = new BroadcastChannel(broadcastChannelName);
  let owner: ChannelOwner | null = null;
  channel.onmessage = (event: MessageEvent<OwnerMessage | TabMessage>) => {
    const message = event.data;
    if (message.type === 'hello') {
      if (!owner) client.reopenAll();
    } else if (message.type === 'channel') {
      client.receive(message);
    } else {
      owner?.receive(message);
    }
  };
  client.connect((message) => channel.postMessage(message));
  setPath('follower');
  void navigator.locks.request(leaderLockName, () => {
    const leading = createChannelOwner({
      multiplexer: createWatchMultiplexer({ subscribe: createWatchSubscribe() }),
      post: (tab, message) =>
        tab === client.tab ? client.receive(message) : channel.postMessage(message),
      onTab(tab) {
        if (tab === client.tab) return;
        void navigator.locks.request(tabLockName(tab), () => {
          leading.receive({ type: 'bye', tab });
        });
      },
    });
    owner = leading;
    client.connect((message) => leading.receive(message));
    setPath('leader');
    const hello: OwnerMessage = { type: 'hello', leader: client.tab };
    channel.postMessage(hello);
    // Held until the tab goes away.
    return new Promise<never>(() => {});
  });
}

/** This tab's end of the one event connection per browser (made once, on first use). */
export function createSharedConnection(options: { sharedWorker?: boolean } = {}): SharedConnection {
  const tab = newTabId();
  const client = createChannelClient({ tab, post: () => {} });
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  let path: ConnectionPath = 'own';
  const setPath = (next: ConnectionPath) => {
    path = next;
    markPath(next);
  };
  const connect = () => {
    if ((options.sharedWorker ?? true) && typeof SharedWorker !== 'undefined') {
      connectSharedWorker(client);
      setPath('shared-worker');
    } else if (locks && typeof BroadcastChannel !== 'undefined') {
      connectThroughLeader(client, setPath);
    } else {
      connectOwn(client);
      setPath('own');
    }
  };
  if (locks) {
    // Held for the tab's lifetime: whoever owns the connection learns when the tab is gone.
    // Only once it is held does the tab say anything (the owner then asks for it too, and
    // must queue behind this tab). Channels opened meanwhile open once connected.
    void locks.request(tabLockName(tab), () => {
      connect();
      return new Promise<never>(() => {});
    });
  } else {
    connect();
  }
  addEventListener('pagehide', () => client.leave());
  // Back from the back-forward cache: its channels were closed at pagehide.
  addEventListener('pageshow', (event: PageTransitionEvent) => {
    if (event.persisted) client.reopenAll();
  });
  return {
    subscribe: (request, handlers) => client.subscribe(request, handlers),
    get path() {
      return path;
    },
  };
}

let shared: SharedConnection | undefined;

/** The tab's shared connection, made on first use. */
export function sharedConnection(): SharedConnection {
  shared ??= createSharedConnection();
  return shared;
}
