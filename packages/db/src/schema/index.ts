export * from './accounts.ts';
export * from './app-passwords.ts';
export * from './audit.ts';
export * from './mail.ts';
export * from './services.ts';
export * from './throttles.ts';
export * from './connect-links.ts';
export * from './refusal-notices.ts';
