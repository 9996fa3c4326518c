import { z } from 'zod';
import type { ChatEvent, PlanEvent } from '../events';
import { userText } from './user-text';

/** Limits of `stream.watch`: one subscription that carries many generations. */
export const streamLimits = {
  /** Channels one `stream.watch` may carry (each also counts as a subscription of its client). */
  maxChannels: 100,
} as const;

export const streamChannelKindSchema = z.enum(['plan', 'chat']);
export type StreamChannelKind = z.infer<typeof streamChannelKindSchema>;

export const streamChannelSchema = z.object({
  kind: streamChannelKindSchema,
  /** A plan id (`plan`) or a chat session id (`chat`). */
  id: userText().min(1).max(100),
  /** The channel's own last event id (as `plan.events` / `chat.events` give them): resume after it. */
  lastEventId: userText().max(200).nullish(),
});
export type StreamChannel = z.infer<typeof streamChannelSchema>;

export const streamWatchInputSchema = z.object({
  channels: z
    .array(streamChannelSchema)
    .min(1, 'Watch at least one channel')
    .max(streamLimits.maxChannels, `At most ${streamLimits.maxChannels} channels per stream.watch`),
});
export type StreamWatchInput = z.infer<typeof streamWatchInputSchema>;

/**
 * One message of `stream.watch`. `channel` is the index of its channel in the input's
 * `channels`; `id` is that channel's own resumable event id (what `lastEventId` takes).
 * A channel that cannot be watched (someone else's, deleted) gets one `error` and nothing
 * more; one whose stream returned gets `complete`. The other channels continue either way.
 */
export type StreamWatchMessage =
  | { channel: number; id: string; event: PlanEvent | ChatEvent }
  | { channel: number; error: { code: string; message: string } }
  | { channel: number; complete: true };
