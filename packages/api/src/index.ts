export { appRouter, createCaller, type AppRouter } from './root.ts';
export type { RequestContext, SessionCookieJar } from './context.ts';
export { handleTrpcRequest, TRPC_ENDPOINT } from './http.ts';
export {
  SESSION_COOKIE,
  readSessionToken,
  resolveSession,
  serializeClearedSessionCookie,
  serializeSessionCookie,
} from './session-cookie.ts';
export * as wire from './wire/index.ts';
