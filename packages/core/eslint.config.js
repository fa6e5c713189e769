import base from '@sidekey/eslint-config/base';
import { importBoundaries } from '@sidekey/eslint-config/boundaries';

export default [...base, ...importBoundaries('core', ['db', 'lifecycle'])];
