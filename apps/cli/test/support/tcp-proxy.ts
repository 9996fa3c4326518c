import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of a server, to cut its connections as a flaky network would. */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>`, standing in for the target's URL. */
  url: string;
  /** Destroys every open connection; new ones are still accepted. */
  dropConnections(): void;
  /** Sends new connections to another server, or (`undefined`) resets them, as a server that is down. */
  retarget(targetUrl: string | undefined): void;
  /** Stops accepting and destroys every open connection. */
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address !== null) resolve(address.port);
      else reject(new Error('the proxy has no port'));
    });
  });
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  let target: URL | undefined = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await listen(server);
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    dropConnections,
    retarget(url) {
      target = url === undefined ? undefined : new URL(url);
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        dropConnections();
      });
    },
  };
}

/** A URL where nothing listens: a port that was free a moment ago. */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
