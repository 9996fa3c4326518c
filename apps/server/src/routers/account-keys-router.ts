import { deleteProviderKeyInputSchema, setProviderKeyInputSchema } from '@sluice/shared';
import { TRPCError } from '@trpc/server';
import type { Context } from '../context';
import { publicProcedure, router } from '../trpc';

/**
 * STAND-IN until accounts land: the signed-in caller's user id. There is no identity in
 * this branch yet, so there is never a caller, and every `account.*` key procedure answers
 * UNAUTHORIZED. The merge replaces `publicProcedure` with `protectedProcedure` below and
 * this function with `ctx.user.id` (or whatever the accounts context names it).
 */
function standInCallerId(_context: Context): string | undefined {
  return undefined;
}

function requireCaller(context: Context): string {
  const userId = standInCallerId(context);
  if (!userId) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to manage your provider keys' });
  }
  return userId;
}

/**
 * The caller's own provider keys: `account.setProviderKey`, `account.listProviderKeys`,
 * `account.deleteProviderKey`. Plain procedures, to be spread into the `account` router.
 * Keys go in and never come out: answers carry the provider and the masked form only.
 */
export const accountKeyProcedures = {
  setProviderKey: publicProcedure
    .input(setProviderKeyInputSchema)
    .mutation(({ ctx, input }) =>
      ctx.providerKeys.setUserKey(requireCaller(ctx), input.provider, input.key),
    ),
  listProviderKeys: publicProcedure.query(({ ctx }) =>
    ctx.providerKeys.listUserKeys(requireCaller(ctx)),
  ),
  deleteProviderKey: publicProcedure
    .input(deleteProviderKeyInputSchema)
    .mutation(({ ctx, input }) =>
      ctx.providerKeys.deleteUserKey(requireCaller(ctx), input.provider),
    ),
};

/** This branch's `account` router; the accounts branch has its own to spread these into. */
export const accountKeysRouter = router(accountKeyProcedures);
