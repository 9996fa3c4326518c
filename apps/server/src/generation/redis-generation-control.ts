import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RedisChannelListener } from './redis-channel-listener';

const commandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('cancel'),
    kind: z.string().min(1),
    generationId: z.string().min(1),
    /** Where the answer goes: the asking instance and its request. */
    replyTo: z.string().min(1),
    requestId: z.string().min(1),
  }),
  z.object({
    type: z.literal('cancel-result'),
    requestId: z.string().min(1),
    /** Null when the instance no longer ran the generation. */
    outcome: z
      .object({
        status: z.enum(['generating', 'completed', 'failed', 'cancelled', 'partial']),
        cancelled: z.boolean(),
      })
      .nullable(),
  }),
]);
export type GenerationCommand = z.infer<typeof commandSchema>;

export interface RedisGenerationControlOptions {
  publisher: Redis;
  channels: RedisChannelListener;
  prefix: string;
  instanceId: string;
  /** Runs on the owning instance when any instance asks to cancel one of its generations. */
  onCommand(command: GenerationCommand): void;
  onError?: (error: unknown) => void;
}

/**
 * A channel per instance that other instances send commands to: a cancel on any instance
 * reaches the one running the generation in one pub/sub hop.
 */
export function createRedisGenerationControl(options: RedisGenerationControlOptions) {
  const { publisher, channels, prefix, instanceId } = options;
  const onError = options.onError ?? (() => {});
  const channelOf = (instance: string) => `${prefix}control:${instance}`;
  let subscription: ReturnType<RedisChannelListener['listen']> | undefined;

  return {
    /** Listens on this instance's channel; resolves once Redis has confirmed it. */
    async start(): Promise<void> {
      subscription ??= channels.listen(channelOf(instanceId), (encoded) => {
        const parsed = commandSchema.safeParse(JSON.parse(encoded));
        if (!parsed.success) return onError(new Error(`Ignored a malformed command: ${encoded}`));
        options.onCommand(parsed.data);
      });
      await subscription.ready;
    },
    /** Sends a command to one instance; resolves false when no instance listened to it. */
    async send(ownerInstanceId: string, command: GenerationCommand): Promise<boolean> {
      const receivers = await publisher.publish(
        channelOf(ownerInstanceId),
        JSON.stringify(command),
      );
      return receivers > 0;
    },
    close(): void {
      subscription?.close();
      subscription = undefined;
    },
  };
}

export type RedisGenerationControl = ReturnType<typeof createRedisGenerationControl>;
