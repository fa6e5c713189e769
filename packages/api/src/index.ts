export { appRouter, createCaller, type AppRouter } from './root.ts';
export type { RequestContext, SessionCookieJar } from './context.ts';
export { handleTrpcRequest, MAX_BATCH_SIZE, TRPC_ENDPOINT } from './http.ts';
export {
  SESSION_COOKIE,
  readSessionToken,
  resolveSession,
  serializeClearedSessionCookie,
  serializeSessionCookie,
} from './session-cookie.ts';
