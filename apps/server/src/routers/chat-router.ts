import {
  type ChatEvent,
  chatArtifactIdInputSchema,
  chatEventsInputSchema,
  chatSessionIdInputSchema,
  createChatSessionInputSchema,
  listChatSessionsInputSchema,
  renameChatSessionInputSchema,
  sendChatMessageInputSchema,
  updateChatSessionInputSchema,
  updateChatSettingsInputSchema,
} from '@sluice/shared';
import { tracked } from '@trpc/server';
import { mapPushStream } from '../generation/push-stream';
import { protectedProcedure, router } from '../trpc';

// The bus hands every subscriber the same event object: keep one tagged copy of it, so
// the SSE writer serialises it once for all of them.
const taggedEvents = new WeakMap<object, object>();
function withMessageId<TEvent extends object>(event: TEvent, messageId: string | null) {
  let tagged = taggedEvents.get(event) as (TEvent & { messageId: string | null }) | undefined;
  if (!tagged || tagged.messageId !== messageId) {
    tagged = { ...event, messageId };
    taggedEvents.set(event, tagged);
  }
  return tagged;
}

export const chatRouter = router({
  settings: protectedProcedure.query(({ ctx }) => ctx.chat.getSettings(ctx.caller.userId)),
  updateSettings: protectedProcedure
    .input(updateChatSettingsInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.updateSettings(ctx.caller.userId, input)),

  createSession: protectedProcedure
    .input(createChatSessionInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.createSession(ctx.caller.userId, input)),
  listSessions: protectedProcedure
    .input(listChatSessionsInputSchema)
    .query(({ ctx, input }) => ctx.chat.listSessions(ctx.caller.userId, input?.limit)),
  getSession: protectedProcedure
    .input(chatSessionIdInputSchema)
    .query(({ ctx, input }) => ctx.chat.getSession(ctx.caller.userId, input.sessionId)),
  updateSession: protectedProcedure
    .input(updateChatSessionInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.updateSession(ctx.caller.userId, input)),
  renameSession: protectedProcedure
    .input(renameChatSessionInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.updateSession(ctx.caller.userId, input)),
  deleteSession: protectedProcedure
    .input(chatSessionIdInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.deleteSession(ctx.caller.userId, input.sessionId)),

  send: protectedProcedure
    .input(sendChatMessageInputSchema)
    .mutation(({ ctx, input, signal }) =>
      ctx.chat.send(ctx.caller.userId, input, signal ?? new AbortController().signal),
    ),

  // Resolved before streaming, so an unknown session fails with NOT_FOUND.
  events: protectedProcedure
    .input(chatEventsInputSchema)
    .subscription(async ({ ctx, input, signal }) => {
      const events = await ctx.chat.events(
        ctx.caller.userId,
        input,
        signal ?? new AbortController().signal,
      );
      // Piped by the SSE writer (no generator step per event), iterated by anything else.
      return mapPushStream(events, (message) =>
        tracked(message.id, withMessageId(message.event, message.messageId) as ChatEvent),
      );
    }),

  cancel: protectedProcedure
    .input(chatSessionIdInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.cancel(ctx.caller.userId, input.sessionId)),

  getArtifact: protectedProcedure
    .input(chatArtifactIdInputSchema)
    .query(({ ctx, input }) => ctx.chat.getArtifact(ctx.caller.userId, input.artifactId)),
});
