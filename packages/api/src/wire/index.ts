export * from './verify.ts';
export * from './events.ts';
export * from './health.ts';
export { openApiDocument } from './openapi.ts';
export * from './connect-requests.ts';
