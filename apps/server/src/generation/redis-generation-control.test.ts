import { type RunningRedis, startRedis } from '@sluice/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisChannelListener } from './redis-channel-listener';
import { createRedisConnections, type RedisConnections } from './redis-connections';
import { createRedisGenerationControl, type GenerationCommand } from './redis-generation-control';

let redis: RunningRedis;
const cancelCommand: GenerationCommand = {
  type: 'cancel',
  kind: 'plan',
  generationId: 'plan-1',
  replyTo: 'other',
  requestId: 'request-1',
};
const opened: RedisConnections[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((connections) => connections.close()));
  await redis?.stop();
});

function instance(
  instanceId: string,
  onCommand: (command: GenerationCommand) => void,
  onError?: (error: unknown) => void,
) {
  const connections = createRedisConnections(redis.url);
  opened.push(connections);
  return createRedisGenerationControl({
    publisher: connections.commands,
    channels: createRedisChannelListener(connections.subscriber),
    prefix: 'test:',
    instanceId,
    onCommand,
    onError,
  });
}

describe('the control channel between instances', () => {
  it('carries a cancel from one instance to the one that owns the generation', async () => {
    let received: (command: GenerationCommand) => void = () => {};
    const arrived = new Promise<GenerationCommand>((resolve) => {
      received = resolve;
    });
    const owner = instance('owner', (command) => received(command));
    const other = instance('other', () => {
      throw new Error('the command went to the wrong instance');
    });
    await owner.start();
    await other.start();
    expect(await other.send('owner', cancelCommand)).toBe(true);
    expect(await arrived).toEqual(cancelCommand);
  });

  it('says when no instance listened (the owner is gone)', async () => {
    const sender = instance('sender', () => {});
    expect(await sender.send('gone', cancelCommand)).toBe(false);
  });

  it('ignores a malformed command and reports it', async () => {
    let reported: (error: unknown) => void = () => {};
    const errored = new Promise<unknown>((resolve) => {
      reported = resolve;
    });
    const commands: GenerationCommand[] = [];
    const owner = instance(
      'strict',
      (command) => commands.push(command),
      (error) => reported(error),
    );
    await owner.start();
    const probe = createRedisConnections(redis.url);
    opened.push(probe);
    await probe.commands.publish('test:control:strict', JSON.stringify({ type: 'drop-table' }));
    expect(String(await errored)).toMatch(/malformed/);
    expect(commands).toEqual([]);
  });
});
