export { default } from '@sidekey/vitest-config';
