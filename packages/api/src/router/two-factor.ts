import { z } from 'zod';
import { twoFactorCode } from '../inputs.ts';
import { actorOf, createRouter, protectedProcedure, sensitiveProcedure } from '../trpc.ts';

/** Two-factor authentication (TOTP, RFC 6238) and its recovery codes. */
export const twoFactorRouter = createRouter({
  status: protectedProcedure.query(({ ctx }) => ctx.sidekey.twoFactor.status(ctx.auth.account.id)),

  /** A new secret as base32 (to type in), otpauth URI and QR code (SVG) to scan. */
  beginEnrollment: sensitiveProcedure.mutation(({ ctx }) =>
    ctx.sidekey.twoFactor.beginEnrollment(ctx.auth.account.id, actorOf(ctx)),
  ),

  /** The code the app shows turns two-factor on; answers the ten recovery codes, once. */
  confirmEnrollment: protectedProcedure
    .input(z.object({ code: twoFactorCode.min(1, 'Enter the code from your authenticator app.') }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.twoFactor.confirmEnrollment(ctx.auth.account.id, input, actorOf(ctx)),
    ),

  /** Revokes every app password with it: app passwords exist only under two-factor. */
  disable: sensitiveProcedure.mutation(({ ctx }) =>
    ctx.sidekey.twoFactor.disable(ctx.auth.account.id, actorOf(ctx)),
  ),

  regenerateRecoveryCodes: sensitiveProcedure.mutation(({ ctx }) =>
    ctx.sidekey.twoFactor.regenerateRecoveryCodes(ctx.auth.account.id, actorOf(ctx)),
  ),
});
