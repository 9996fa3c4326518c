import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { findFreePort } from './free-port';
import { ensureSystemPackage } from './system-package';

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Stops the server (nothing is saved on disk). */
  stop(): Promise<void>;
}

export function findRedisServer(): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Sends PING until the server answers PONG (it is listening once it does). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * A private Redis for tests on a free port of 127.0.0.1, persisting nothing. Debian's
 * `redis-server` is installed with apt-get when missing and we are root.
 */
export async function startRedis(): Promise<RunningRedis> {
  const redisServer = ensureSystemPackage('redis-server', findRedisServer, 'Redis');
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const child = spawn(
      redisServer,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const onExit = () => child.kill('SIGKILL');
    process.on('exit', onExit);
    // Ready once it logs that it accepts connections (or exits: the port was taken).
    const ready = await new Promise<boolean>((resolve) => {
      const check = () => {
        if (output.includes('Ready to accept connections')) resolve(true);
      };
      child.stdout.on('data', check);
      exited.then(() => resolve(false));
    });
    if (ready && (await answersPing(port))) {
      let stopped = false;
      return {
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          if (stopped) return;
          stopped = true;
          process.off('exit', onExit);
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    process.off('exit', onExit);
    child.kill('SIGKILL');
    await exited;
    if (attempt >= 3) throw new Error(`redis-server did not start:\n${output}`);
  }
}
