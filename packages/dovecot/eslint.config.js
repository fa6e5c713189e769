export { default } from '@sidekey/eslint-config/base';
