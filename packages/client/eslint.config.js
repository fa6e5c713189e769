import base from '@sidekey/eslint-config/base';

// contract/ holds the published declaration exactly as tsc wrote it.
export default [{ ignores: ['contract/**'] }, ...base];
