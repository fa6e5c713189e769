import base from '@sidekey/eslint-config/base';

// client-package/consumer/ is a project outside this workspace, checked by its own test.
export default [{ ignores: ['client-package/consumer/**'] }, ...base];
