import { setProviderKeyInputSchema } from '@sluice/shared';
import { publicProcedure, router } from '../trpc';

/**
 * The app-wide provider keys, used by users who stored none: `admin.setProviderKey`.
 * STAND-IN: `publicProcedure` until accounts land; the merge makes it `adminProcedure`
 * and spreads these into the `admin` router.
 */
export const adminKeyProcedures = {
  setProviderKey: publicProcedure
    .input(setProviderKeyInputSchema)
    .mutation(({ ctx, input }) => ctx.providerKeys.setAppKey(input.provider, input.key)),
};

/** This branch's `admin` router; the accounts branch has its own to spread these into. */
export const adminKeysRouter = router(adminKeyProcedures);
