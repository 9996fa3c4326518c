import {
  type ChatEvent,
  type PlanEvent,
  type StreamWatchMessage,
  streamWatchInputSchema,
} from '@sluice/shared';
import { type ChannelOpener, watchChannels } from '../streams/watch-channels';
import { domainErrorOf, protectedProcedure, router } from '../trpc';

type WatchedEvent = PlanEvent | ChatEvent;

// The bus hands every watcher the same event object: one tagged copy of it, so the SSE
// writer serialises it once for all of them.
const taggedEvents = new WeakMap<object, ChatEvent>();
function withMessageId(event: object, messageId: string | null): ChatEvent {
  let tagged = taggedEvents.get(event);
  if (!tagged || tagged.messageId !== messageId) {
    tagged = { ...event, messageId } as ChatEvent;
    taggedEvents.set(event, tagged);
  }
  return tagged;
}

export const streamRouter = router({
  /**
   * Many generations over one subscription: each channel is a plan or a chat session,
   * with its own `lastEventId`, observed exactly as `plan.events` / `chat.events` would
   * (ownership included: someone else's id ends only its own channel, with NOT_FOUND).
   * Messages carry their channel's own event id in the data, not as the SSE id: a client
   * that reconnects subscribes again with each channel's last id.
   */
  watch: protectedProcedure
    .input(streamWatchInputSchema)
    .subscription(({ ctx, input, signal }): AsyncGenerator<StreamWatchMessage> => {
      const userId = ctx.caller.userId;
      const openers = input.channels.map((channel): ChannelOpener<WatchedEvent> => {
        const lastEventId = channel.lastEventId ?? null;
        if (channel.kind === 'plan') {
          return async (channelSignal) =>
            (await ctx.plans.events(
              userId,
              { planId: channel.id, lastEventId },
              channelSignal,
            )) as AsyncIterable<{ id: string; event: PlanEvent }>;
        }
        return async (channelSignal) => {
          const messages = await ctx.chat.events(
            userId,
            { sessionId: channel.id, lastEventId },
            channelSignal,
          );
          return (async function* () {
            for await (const message of messages) {
              yield { id: message.id, event: withMessageId(message.event, message.messageId) };
            }
          })();
        };
      });
      return watchChannels(openers, signal ?? new AbortController().signal, domainErrorOf);
    }),
});
