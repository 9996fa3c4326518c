import {
  activityInputSchema,
  setProviderKeyInputSchema,
  setUserQuotasInputSchema,
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

  /** Every user with their quotas (`override` null: the env default applies). */
  listUsers: adminProcedure.query(({ ctx }) => ctx.quotas.listUsers()),
  /** Overrides a user's limits; a field left out keeps its value. */
  setUserQuotas: adminProcedure
    .input(setUserQuotasInputSchema)
    .mutation(({ ctx, input }) => ctx.quotas.setUserQuotas(input)),

  /** The app-wide provider keys, used by users who stored none. */
  setProviderKey: adminProcedure
    .input(setProviderKeyInputSchema)
    .mutation(({ ctx, input }) => ctx.providerKeys.setAppKey(input.provider, input.key)),

  /**
   * What the app did over the last 24 hours, 7 days or 30 days, from the stored plans and
   * replies: success rate per hour, TTFT and duration percentiles, endings, errors, cost.
   */
  activity: adminProcedure
    .input(activityInputSchema)
    .query(({ ctx, input }) => ctx.activity.report(input.range)),
});
