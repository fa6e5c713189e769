import base from '@sidekey/eslint-config/base';
import { importBoundaries } from '@sidekey/eslint-config/boundaries';

// A relying service like any other: it knows Sidekey only through the published client.
export default [...base, ...importBoundaries('dovecot', ['client'])];
