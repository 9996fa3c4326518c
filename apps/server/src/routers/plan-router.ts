import {
  continuePlanInputSchema,
  createPlanInputSchema,
  listPlansInputSchema,
  planEventsInputSchema,
  planIdInputSchema,
} from '@sluice/shared';
import { tracked } from '@trpc/server';
import { mapPushStream } from '../generation/push-stream';
import { protectedProcedure, router } from '../trpc';

export const planRouter = router({
  create: protectedProcedure
    .input(createPlanInputSchema)
    .mutation(({ ctx, input }) => ctx.plans.create(ctx.caller.userId, input)),

  // Resolved before streaming, so an unknown id fails with NOT_FOUND through the error mapping.
  events: protectedProcedure
    .input(planEventsInputSchema)
    .subscription(async ({ ctx, input, signal }) => {
      const events = await ctx.plans.events(
        ctx.caller.userId,
        input,
        signal ?? new AbortController().signal,
      );
      // Piped by the SSE writer (no generator step per event), iterated by anything else.
      return mapPushStream(events, (message) => tracked(message.id, message.event));
    }),

  get: protectedProcedure
    .input(planIdInputSchema)
    .query(({ ctx, input }) => ctx.plans.get(ctx.caller.userId, input.planId)),

  list: protectedProcedure
    .input(listPlansInputSchema)
    .query(({ ctx, input }) => ctx.plans.list(ctx.caller.userId, input ?? {})),

  continue: protectedProcedure
    .input(continuePlanInputSchema)
    .mutation(({ ctx, input }) => ctx.plans.continue(ctx.caller.userId, input)),

  cancel: protectedProcedure
    .input(planIdInputSchema)
    .mutation(({ ctx, input }) => ctx.plans.cancel(ctx.caller.userId, input.planId)),

  generate: protectedProcedure
    .input(createPlanInputSchema)
    .mutation(({ ctx, input, signal }) =>
      ctx.plans.generate(ctx.caller.userId, input, signal ?? new AbortController().signal),
    ),
});
