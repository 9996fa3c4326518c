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
import { publicProcedure, router } from '../trpc';

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
  settings: publicProcedure.query(({ ctx }) => ctx.chat.getSettings()),
  updateSettings: publicProcedure
    .input(updateChatSettingsInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.updateSettings(input)),

  createSession: publicProcedure
    .input(createChatSessionInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.createSession(input)),
  listSessions: publicProcedure
    .input(listChatSessionsInputSchema)
    .query(({ ctx, input }) => ctx.chat.listSessions(input?.limit)),
  getSession: publicProcedure
    .input(chatSessionIdInputSchema)
    .query(({ ctx, input }) => ctx.chat.getSession(input.sessionId)),
  updateSession: publicProcedure
    .input(updateChatSessionInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.updateSession(input)),
  renameSession: publicProcedure
    .input(renameChatSessionInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.updateSession(input)),
  deleteSession: publicProcedure
    .input(chatSessionIdInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.deleteSession(input.sessionId)),

  send: publicProcedure
    .input(sendChatMessageInputSchema)
    .mutation(({ ctx, input, signal }) =>
      ctx.chat.send(input, signal ?? new AbortController().signal),
    ),

  // Resolved before streaming, so an unknown session fails with NOT_FOUND.
  events: publicProcedure
    .input(chatEventsInputSchema)
    .subscription(async ({ ctx, input, signal }) => {
      const events = await ctx.chat.events(input, signal ?? new AbortController().signal);
      return (async function* () {
        for await (const message of events) {
          yield tracked(message.id, withMessageId(message.event, message.messageId) as ChatEvent);
        }
      })();
    }),

  cancel: publicProcedure
    .input(chatSessionIdInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.cancel(input.sessionId)),

  getArtifact: publicProcedure
    .input(chatArtifactIdInputSchema)
    .query(({ ctx, input }) => ctx.chat.getArtifact(input.artifactId)),
});
