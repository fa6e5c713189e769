export { appRouter, createCaller, type AppRouter } from './root.ts';
export {
  createTRPCContext,
  type ContextSource,
  type RequestContext,
  type SessionCookieJar,
} from './context.ts';
export { bearerToken } from './bearer.ts';
export { answerWithin } from './deadline.ts';
export { handleTrpcRequest, MAX_BATCH_SIZE, TRPC_ENDPOINT } from './http.ts';
export {
  SESSION_COOKIE,
  clearedSessionCookie,
  readSessionToken,
  resolveSession,
  serializeSessionCookie,
  sessionCookie,
  type SessionCookie,
} from './session-cookie.ts';
export * as wire from './wire/index.ts';
