import {
  apiKeyIdInputSchema,
  createApiKeyInputSchema,
  deleteProviderKeyInputSchema,
  setProviderKeyInputSchema,
} from '@sluice/shared';
import { NotFoundError } from '../errors';
import { protectedProcedure, router } from '../trpc';

/** The signed-in user's own account: who they are, and their API keys for other apps. */
export const accountRouter = router({
  me: protectedProcedure.query(({ ctx }) => ({
    id: ctx.caller.userId,
    email: ctx.caller.email,
    name: ctx.caller.name,
    role: ctx.caller.role,
  })),

  /** The caller's quotas in the current periods: `limit` null = unlimited; spend in USD. */
  usage: protectedProcedure.query(({ ctx }) => ctx.quotas.usage(ctx.caller.userId)),

  /** The key is in this answer only; afterwards only its first characters are shown. */
  createApiKey: protectedProcedure
    .input(createApiKeyInputSchema)
    .mutation(({ ctx, input }) => ctx.apiKeys.create(ctx.caller.userId, input.name)),

  listApiKeys: protectedProcedure.query(({ ctx }) => ctx.apiKeys.list(ctx.caller.userId)),

  /** Refused at once: the next request (or subscription reconnect) with it is UNAUTHORIZED. */
  revokeApiKey: protectedProcedure.input(apiKeyIdInputSchema).mutation(async ({ ctx, input }) => {
    if (!(await ctx.apiKeys.revoke(ctx.caller.userId, input.id))) {
      throw new NotFoundError(`No API key with id ${input.id}`);
    }
    return { revoked: true };
  }),

  /**
   * The caller's own provider keys, encrypted at rest. Keys go in and never come out:
   * answers carry the provider and the masked form only.
   */
  setProviderKey: protectedProcedure
    .input(setProviderKeyInputSchema)
    .mutation(({ ctx, input }) =>
      ctx.providerKeys.setUserKey(ctx.caller.userId, input.provider, input.key),
    ),
  listProviderKeys: protectedProcedure.query(({ ctx }) =>
    ctx.providerKeys.listUserKeys(ctx.caller.userId),
  ),
  deleteProviderKey: protectedProcedure
    .input(deleteProviderKeyInputSchema)
    .mutation(({ ctx, input }) =>
      ctx.providerKeys.deleteUserKey(ctx.caller.userId, input.provider),
    ),
});
