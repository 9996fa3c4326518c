import { publicProcedure, router } from '../trpc';

export const systemRouter = router({
  /** What a client needs to label its UI: whether the model is simulated, and the default model. */
  info: publicProcedure.query(({ ctx }) => ({
    simulated: ctx.simulated,
    defaultModel: ctx.defaultModel,
  })),
});
