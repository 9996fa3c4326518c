import {
  setProviderKeyInputSchema,
  updateAccountSettingsInputSchema,
  updateChatSettingsInputSchema,
} from '@sluice/shared';
import { adminProcedure, router } from '../trpc';

/** App-wide settings only the admin may read and change. */
export const adminRouter = router({
  settings: adminProcedure.query(({ ctx }) => ctx.accountSettings.get()),
  updateSettings: adminProcedure
    .input(updateAccountSettingsInputSchema)
    .mutation(({ ctx, input }) => ctx.accountSettings.update(input)),

  /** The pre- and post-system prompts of every user who has not set their own. */
  chatDefaults: adminProcedure.query(({ ctx }) => ctx.chat.getDefaultSettings()),
  updateChatDefaults: adminProcedure
    .input(updateChatSettingsInputSchema)
    .mutation(({ ctx, input }) => ctx.chat.updateDefaultSettings(input)),

  /** The app-wide provider keys, used by users who stored none. */
  setProviderKey: adminProcedure
    .input(setProviderKeyInputSchema)
    .mutation(({ ctx, input }) => ctx.providerKeys.setAppKey(input.provider, input.key)),
});
