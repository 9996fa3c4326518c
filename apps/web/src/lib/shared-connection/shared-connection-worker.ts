/// <reference lib="webworker" />
import type { OwnerMessage, TabMessage } from './channel-messages';
import { createChannelOwner } from './channel-owner';
import { createWatchSubscribe } from './create-watch-subscribe';
import { tabLockName } from './lock-names';
import { createWatchMultiplexer } from './watch-multiplexer';

/**
 * The SharedWorker that holds the browser's one event connection for this origin: every
 * tab connects a port, and their channels share one `stream.watch`.
 */
declare const self: SharedWorkerGlobalScope;

const ports = new Map<string, MessagePort>();
const multiplexer = createWatchMultiplexer({ subscribe: createWatchSubscribe() });
const owner = createChannelOwner({
  multiplexer,
  post: (tab, message: OwnerMessage) => ports.get(tab)?.postMessage(message),
  onTab(tab) {
    // Each tab holds a lock for its lifetime: once the worker gets it, the tab is gone
    // (closed or crashed, with or without its goodbye).
    void navigator.locks?.request(tabLockName(tab), () => {
      owner.receive({ type: 'bye', tab });
      ports.delete(tab);
    });
  },
});

self.onconnect = (connection) => {
  const port = connection.ports[0];
  if (!port) return;
  port.onmessage = (event: MessageEvent<TabMessage>) => {
    const message = event.data;
    if (message.type === 'open') ports.set(message.tab, port);
    owner.receive(message);
    if (message.type === 'bye') ports.delete(message.tab);
  };
  port.start();
};
