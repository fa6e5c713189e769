import { z } from 'zod';
import { email, newPassword, password } from '../inputs.ts';
import {
  actorOf,
  createRouter,
  protectedProcedure,
  publicProcedure,
  sensitiveProcedure,
} from '../trpc.ts';

/** The primary password and the account's activity. */
export const accountRouter = createRouter({
  /** Revokes every app password and ends every other session, in one transaction. */
  changePassword: sensitiveProcedure
    .input(z.object({ currentPassword: password, newPassword }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.passwords.changePassword(
        ctx.auth.account.id,
        ctx.auth.session.id,
        input,
        actorOf(ctx),
      ),
    ),

  /** Always the same answer, whether or not the email has an account. */
  requestPasswordReset: publicProcedure
    .input(z.object({ email }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.passwords.requestPasswordReset({ email: input.email }, actorOf(ctx, 'anonymous')),
    ),

  /** Every session ends, this one too: the owner signs in again with the new password. */
  resetPassword: publicProcedure
    .input(
      z.object({
        token: z
          .string({ error: 'This reset link is incomplete. Open the link from the email again.' })
          .max(256, 'This reset link is not valid.'),
        newPassword,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.sidekey.passwords.resetPassword(input, actorOf(ctx, 'anonymous'));
      ctx.cookies.clearSession();
      return result;
    }),

  /** The audit trail of the account, newest first, for "Recent activity". */
  activity: protectedProcedure
    .input(
      z
        .object({
          limit: z
            .number({ error: 'The limit must be a number.' })
            .int('The limit must be a whole number.')
            .min(1, 'The limit must be at least 1.')
            .max(200, 'The limit can be at most 200.')
            .optional(),
          before: z
            .number({ error: '“before” must be an event id.' })
            .int('“before” must be an event id.')
            .positive('“before” must be an event id.')
            .optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => ctx.sidekey.activity(ctx.auth.account.id, input ?? {})),
});
