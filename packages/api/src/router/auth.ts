import { z } from 'zod';
import { email, password, twoFactorCode } from '../inputs.ts';
import { actorOf, createRouter, protectedProcedure, publicProcedure } from '../trpc.ts';

export const authRouter = createRouter({
  /**
   * The same answer whether or not the email has an account: the mailbox gets a link
   * that creates the account, or a note that it already has one.
   */
  signUp: publicProcedure
    .input(z.object({ email, password }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.accounts.requestSignUp(input, actorOf(ctx, 'anonymous')),
    ),

  /** The link from the sign-up mail: creates the account and signs it in. */
  confirmSignUp: publicProcedure
    .input(
      z.object({
        token: z
          .string({ error: 'This sign-up link is incomplete. Open the link from the email again.' })
          .max(2048, 'This sign-up link is not valid.'),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.sidekey.accounts.confirmSignUp(input, actorOf(ctx));
      ctx.cookies.setSession(result.sessionToken, result.expiresAt);
      return { accountId: result.accountId };
    }),

  /** With two-factor on and no code: says a code is needed and opens no session. */
  signIn: publicProcedure
    .input(z.object({ email, password, code: twoFactorCode.optional() }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.sidekey.accounts.signIn(input, actorOf(ctx, 'anonymous'));
      if (result.status !== 'signed_in') return { status: result.status };
      ctx.cookies.setSession(result.sessionToken, result.expiresAt);
      return { status: result.status, accountId: result.accountId };
    }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.auth) await ctx.sidekey.sessions.invalidate(ctx.auth.session.id);
    ctx.cookies.clearSession();
    return { signedOut: true };
  }),

  session: publicProcedure.query(({ ctx }) => {
    if (!ctx.auth) return null;
    const { account, session } = ctx.auth;
    return {
      accountId: account.id,
      email: account.email,
      role: account.role,
      twoFactorEnabled: account.totpEnabledAt !== null,
      expiresAt: session.expiresAt,
      recentlyReauthenticated: ctx.sidekey.sessions.isRecentlyReauthenticated(session),
    };
  }),

  /** Where the owner is signed in: every live session, the current one marked. */
  sessions: protectedProcedure.query(({ ctx }) =>
    ctx.sidekey.sessions.listForAccount(ctx.auth.account.id, ctx.auth.session.id),
  ),

  /** Ends every session but this one. */
  signOutOthers: protectedProcedure.mutation(async ({ ctx }) => ({
    ended: await ctx.sidekey.sessions.signOutOthers(
      ctx.auth.account.id,
      ctx.auth.session.id,
      actorOf(ctx),
    ),
  })),

  reauthenticate: protectedProcedure
    .input(z.object({ password, code: twoFactorCode.optional() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.sidekey.accounts.reauthenticate(
        ctx.auth.account.id,
        ctx.auth.session.id,
        input,
        actorOf(ctx),
      );
      return { reauthenticated: true };
    }),
});
