import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Destroys every open connection, as a flaky network would. */
  cutAll(): number;
  close(): Promise<void>;
}

/** A TCP proxy on loopback in front of a server, whose connections a test can cut at will. */
export async function startCuttingProxy(target: URL): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client);
    const forget = () => {
      sockets.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', forget).on('error', forget);
    upstream.on('close', forget).on('error', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    cutAll() {
      const count = sockets.size;
      for (const socket of [...sockets]) socket.destroy();
      return count;
    },
    async close() {
      for (const socket of [...sockets]) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
