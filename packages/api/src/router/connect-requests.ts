import { z } from 'zod';
import { label, scopes } from '../inputs.ts';
import { actorOf, createRouter, protectedProcedure, sensitiveProcedure } from '../trpc.ts';

const userCode = z
  .string({ error: 'Enter the code the app shows.' })
  .min(1, 'Enter the code the app shows.')
  .max(32, 'A code is 8 letters, such as BCDF-GHJK.');

/**
 * The owner's side of the login flow: find an app's request by its code, then approve it
 * (a sensitive action, like any generate) or deny it. Looking a code up is a mutation:
 * each one counts against the guessing throttle.
 */
export const connectRequestsRouter = createRouter({
  lookup: protectedProcedure
    .input(z.object({ userCode }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.connectRequests.describe(ctx.auth.account.id, input.userCode, actorOf(ctx)),
    ),

  approve: sensitiveProcedure
    .input(
      z.object({
        userCode,
        label,
        scopes: scopes.min(1, 'Choose at least one thing the app may reach.'),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.sidekey.connectRequests.approve(
        ctx.auth.account.id,
        input.userCode,
        { label: input.label, scopes: input.scopes },
        actorOf(ctx),
      ),
    ),

  deny: protectedProcedure
    .input(z.object({ userCode }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.connectRequests.deny(ctx.auth.account.id, input.userCode, actorOf(ctx)),
    ),
});
