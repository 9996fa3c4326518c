import { router } from '../trpc';
import { chatRouter } from './chat-router';
import { planRouter } from './plan-router';
import { systemRouter } from './system-router';

export const appRouter = router({
  plan: planRouter,
  chat: chatRouter,
  system: systemRouter,
});

/** The router's type, for other apps' `@trpc/client`. */
export type AppRouter = typeof appRouter;
