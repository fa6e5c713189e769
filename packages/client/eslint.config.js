import base from '@sidekey/eslint-config/base';
import { importBoundaries } from '@sidekey/eslint-config/boundaries';

// Only the router's types: the client bundles them, so consumers need no Sidekey source.
export default [...base, ...importBoundaries('client', ['api'])];
