import base from '@sidekey/eslint-config/svelte';
import { importBoundaries } from '@sidekey/eslint-config/boundaries';

// The visualizer draws the lifecycle machine itself; no page reaches the database.
export default [...base, ...importBoundaries('web', ['api', 'core', 'lifecycle', 'client'])];
