export * from './verify.ts';
export * from './events.ts';
export * from './health.ts';
