import { publicProcedure, router } from '../trpc';

export const systemRouter = router({
  /**
   * Public. What a client needs before signing in: whether the model is simulated, the default
   * model, whether the first account (the admin) is still to be created, and whether sign-up
   * is open.
   */
  info: publicProcedure.query(async ({ ctx }) => {
    const [needsSetup, settings] = await Promise.all([
      ctx.accountSettings.needsSetup(),
      ctx.accountSettings.get(),
    ]);
    return {
      simulated: ctx.simulated,
      defaultModel: ctx.defaultModel,
      needsSetup,
      allowSignUp: needsSetup || settings.allowSignUp,
    };
  }),
});
