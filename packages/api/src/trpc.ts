import { SidekeyError, type ActorMeta } from '@sidekey/core';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z } from 'zod';
import type { RequestContext } from './context.ts';

const t = initTRPC.context<RequestContext>().create({
  transformer: superjson,
  /**
   * service.events streams for hours: a ping every 15 s keeps proxies from cutting an idle
   * stream, and tells the client to reconnect (and resume) when 40 s pass without one.
   */
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 40_000 },
  },
  /**
   * Errors carry a code, a message a person understands, a stable `reason` word and,
   * for invalid input, zod's per-field messages. Never a stack, never internals.
   */
  errorFormatter({ shape, error }) {
    const isInputError = error.code === 'BAD_REQUEST' && error.cause instanceof z.ZodError;
    const reason =
      error.cause instanceof SidekeyError
        ? error.cause.reason
        : isInputError
          ? 'invalid_input'
          : undefined;
    return {
      message:
        error.code === 'INTERNAL_SERVER_ERROR'
          ? 'Something went wrong on our side. Please try again.'
          : shape.message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        reason,
        retryAfterSeconds:
          error.cause instanceof SidekeyError ? error.cause.retryAfterSeconds : undefined,
        fieldErrors: isInputError
          ? z.flattenError(error.cause as z.ZodError).fieldErrors
          : undefined,
      },
    };
  },
});

export const createRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Domain errors become tRPC errors one to one; anything else is logged (without its
 * input) and answered as a generic 500 — which no client input should ever reach.
 */
const domainErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof SidekeyError) {
      throw new TRPCError({ code: cause.code, message: cause.message, cause });
    }
    if (result.error.code === 'INTERNAL_SERVER_ERROR') {
      ctx.sidekey.deps.log.error(
        { path, err: { message: cause?.message, name: cause?.name } },
        'procedure failed',
      );
    }
  }
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

/** Signed in: `ctx.auth` is non-null from here on. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.auth) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
  return next({ ctx: { ...ctx, auth: ctx.auth } });
});

/**
 * The one rule for owners' sensitive actions and admins' changes alike: the password (and,
 * with two-factor, a code) re-entered within the last five minutes.
 */
function requireRecentReauthentication(ctx: {
  sidekey: RequestContext['sidekey'];
  auth: NonNullable<RequestContext['auth']>;
}) {
  if (ctx.sidekey.sessions.isRecentlyReauthenticated(ctx.auth.session)) return;
  const message = 'For your security, confirm your password to continue.';
  throw new TRPCError({
    code: 'FORBIDDEN',
    message,
    cause: new SidekeyError('FORBIDDEN', message, 'reauthentication_required'),
  });
}

/** Sensitive actions need the password (and a code) re-entered within the last five minutes. */
export const sensitiveProcedure = protectedProcedure.use(({ ctx, next }) => {
  requireRecentReauthentication(ctx);
  return next();
});

/** Audit metadata of the request: who, from where. */
export function actorOf(ctx: RequestContext, actor: ActorMeta['actor'] = 'owner'): ActorMeta {
  return { actor, address: ctx.address, userAgent: ctx.userAgent };
}

/**
 * Admins only (a role an operator grants with `sidekey make-admin`), and only with
 * two-factor on: an admin's account decides which services may verify passwords, so a
 * phished password alone must not be enough (NIST SP 800-63B AAL2).
 */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.auth.account.role !== 'admin') {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Only an administrator can do that.',
      cause: new SidekeyError('FORBIDDEN', 'Only an administrator can do that.', 'admin_required'),
    });
  }
  if (!ctx.auth.account.totpEnabledAt) {
    const message =
      'Administrators must have two-factor authentication on. Turn it on under Sign-In and Security, then try again.';
    throw new TRPCError({
      code: 'FORBIDDEN',
      message,
      cause: new SidekeyError('FORBIDDEN', message, 'admin_two_factor_required'),
    });
  }
  return next();
});

/** What an admin changes (service keys): like any sensitive action, a recent re-authentication. */
export const adminActionProcedure = adminProcedure.use(({ ctx, next }) => {
  requireRecentReauthentication(ctx);
  return next();
});

/**
 * Relying services: `Authorization: Bearer <service key>`; `ctx.service` is non-null
 * from here on. A missing, unknown or revoked key is refused before any other work.
 */
export const serviceProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const service = await ctx.sidekey.serviceKeys.authenticate(ctx.serviceKey);
  if (!service) {
    const message = 'A valid service key is needed: Authorization: Bearer <service key>.';
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message,
      cause: new SidekeyError('UNAUTHORIZED', message, 'service_unauthorized'),
    });
  }
  return next({ ctx: { ...ctx, service } });
});
