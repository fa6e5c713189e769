import base from '@sidekey/eslint-config/base';
import { importBoundaries } from '@sidekey/eslint-config/boundaries';

// The lifecycle trigger migration is generated from the machine, so db reads lifecycle.
export default [...base, ...importBoundaries('db', ['lifecycle'])];
