import { adminRouter } from './router/admin.ts';
import { appPasswordsRouter } from './router/app-passwords.ts';
import { authRouter } from './router/auth.ts';
import { serviceRouter } from './router/relying-service.ts';
import { accountRouter } from './router/account.ts';
import { twoFactorRouter } from './router/two-factor.ts';
import { connectRequestsRouter } from './router/connect-requests.ts';
import { flowsRouter } from './router/flows.ts';
import { createCallerFactory, createRouter } from './trpc.ts';

/** The public API, one router per feature: names here are a contract with other services (docs/design.md: add, never rename). */
export const appRouter = createRouter({
  auth: authRouter,
  appPasswords: appPasswordsRouter,
  twoFactor: twoFactorRouter,
  account: accountRouter,
  admin: adminRouter,
  service: serviceRouter,
  flows: flowsRouter,
  connectRequests: connectRequestsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
