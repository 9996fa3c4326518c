import { createServer, type Socket } from 'node:net';

export interface SilentServer {
  url: string;
  /** Resolves once `count` connections in all have sent something (a request, or its start). */
  requested(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A server that accepts connections and never answers, as a hung server does. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => {
      requests += 1;
      for (const waiter of [...waiters]) {
        if (requests >= waiter.count) {
          waiters.delete(waiter);
          waiter.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requested(count) {
      if (requests >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.add({ count, resolve }));
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
