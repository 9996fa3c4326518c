import { router } from '../trpc';
import { accountKeysRouter } from './account-keys-router';
import { adminKeysRouter } from './admin-keys-router';
import { chatRouter } from './chat-router';
import { planRouter } from './plan-router';
import { systemRouter } from './system-router';

export const appRouter = router({
  plan: planRouter,
  chat: chatRouter,
  system: systemRouter,
  account: accountKeysRouter,
  admin: adminKeysRouter,
});

/** The router's type, for other apps' `@trpc/client`. */
export type AppRouter = typeof appRouter;
