import { publicProcedure, router } from '../trpc';

/** Models offered in the model field: Sluice's routes for each provider, priced per million tokens. */
const offeredModel = /^(anthropic:|openai:|openai\/|anthropic\/|sluice\/simulator$)/;

export const systemRouter = router({
  /**
   * Public. What a client needs before signing in: whether the model is simulated, the default
   * model, whether the first account (the admin) is still to be created, whether sign-up is
   * open, how each provider is reached, and the models offered with their prices.
   */
  info: publicProcedure.query(async ({ ctx }) => {
    const [needsSetup, settings] = await Promise.all([
      ctx.accountSettings.needsSetup(),
      ctx.accountSettings.get(),
    ]);
    const models = ctx.prices
      .list()
      .filter(({ model }) => offeredModel.test(model) || model === ctx.defaultModel)
      .map(({ model, price }) => ({
        id: model,
        provider: model.startsWith('anthropic:')
          ? ('anthropic' as const)
          : model.startsWith('openai:')
            ? ('openai' as const)
            : ('openrouter' as const),
        inputPerMillionUsd: Number((price.input * 1e6).toPrecision(6)),
        outputPerMillionUsd: Number((price.output * 1e6).toPrecision(6)),
      }))
      .sort((left, right) => left.id.localeCompare(right.id));
    return {
      simulated: ctx.simulated,
      defaultModel: ctx.defaultModel,
      needsSetup,
      allowSignUp: needsSetup || settings.allowSignUp,
      /** `key`: the server's own key; `custom`: a keyless base URL; `simulator`: offline. */
      providers: (['openrouter', 'anthropic', 'openai'] as const).map((name) => ({
        name,
        mode: ctx.providerModes[name],
      })),
      models,
    };
  }),
});
