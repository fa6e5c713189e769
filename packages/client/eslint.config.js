import base from '@sidekey/eslint-config/base';
import { importBoundaries } from '@sidekey/eslint-config/boundaries';

// Only the router's types: the client bundles them, so consumers need no Sidekey source.
// contract/ holds the published declaration exactly as tsc wrote it.
export default [{ ignores: ['contract/**'] }, ...base, ...importBoundaries('client', ['api'])];
