import { router } from '../trpc';
import { accountRouter } from './account-router';
import { adminRouter } from './admin-router';
import { chatRouter } from './chat-router';
import { planRouter } from './plan-router';
import { streamRouter } from './stream-router';
import { systemRouter } from './system-router';

export const appRouter = router({
  plan: planRouter,
  chat: chatRouter,
  stream: streamRouter,
  system: systemRouter,
  account: accountRouter,
  admin: adminRouter,
});

/** The router's type, for other apps' `@trpc/client`. */
export type AppRouter = typeof appRouter;
