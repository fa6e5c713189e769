import type { UserConfig } from 'vitest/config';
export declare const sidekeyTestConfig: UserConfig;
declare const config: UserConfig;
export default config;
