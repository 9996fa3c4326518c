import {
  continuePlanInputSchema,
  createPlanInputSchema,
  listPlansInputSchema,
  planEventsInputSchema,
  planIdInputSchema,
} from '@sluice/shared';
import { tracked } from '@trpc/server';
import { publicProcedure, router } from '../trpc';

export const planRouter = router({
  create: publicProcedure
    .input(createPlanInputSchema)
    .mutation(({ ctx, input }) => ctx.plans.create(input)),

  // Resolved before streaming, so an unknown id fails with NOT_FOUND through the error mapping.
  events: publicProcedure
    .input(planEventsInputSchema)
    .subscription(async ({ ctx, input, signal }) => {
      const events = await ctx.plans.events(input, signal ?? new AbortController().signal);
      return (async function* () {
        for await (const message of events) yield tracked(message.id, message.event);
      })();
    }),

  get: publicProcedure
    .input(planIdInputSchema)
    .query(({ ctx, input }) => ctx.plans.get(input.planId)),

  list: publicProcedure
    .input(listPlansInputSchema)
    .query(({ ctx, input }) => ctx.plans.list(input ?? {})),

  continue: publicProcedure
    .input(continuePlanInputSchema)
    .mutation(({ ctx, input }) => ctx.plans.continue(input)),

  cancel: publicProcedure
    .input(planIdInputSchema)
    .mutation(({ ctx, input }) => ctx.plans.cancel(input.planId)),

  generate: publicProcedure
    .input(createPlanInputSchema)
    .mutation(({ ctx, input, signal }) =>
      ctx.plans.generate(input, signal ?? new AbortController().signal),
    ),
});
