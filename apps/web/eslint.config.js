export { default } from '@sidekey/eslint-config/svelte';
