import { adminRouter } from './router/admin.ts';
import { appPasswordsRouter } from './router/app-passwords.ts';
import { authRouter } from './router/auth.ts';
import { createCallerFactory, createRouter } from './trpc.ts';

/** The public API, one router per feature: names here are a contract (DESIGN: Public API). */
export const appRouter = createRouter({
  auth: authRouter,
  appPasswords: appPasswordsRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
