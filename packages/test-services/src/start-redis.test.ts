import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRedis } from './start-redis';

/** One raw RESP command; resolves with the first reply line, or 'refused'. */
function send(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.split('\r\n')[0] ?? '');
      }
    });
    socket.on('error', () => resolve('refused'));
  });
}

describe('startRedis', () => {
  it('runs a private Redis on a free port that saves nothing, and stops it', async () => {
    const redis = await startRedis();
    const port = Number(new URL(redis.url).port);
    try {
      expect(new URL(redis.url).hostname).toBe('127.0.0.1');
      expect(await send(port, 'PING')).toBe('+PONG');
      expect(await send(port, 'CONFIG GET save')).toBe('*2');
    } finally {
      await redis.stop();
    }
    expect(await send(port, 'PING')).toBe('refused');
  });
});
