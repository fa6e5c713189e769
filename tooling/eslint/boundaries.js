/**
 * Import arrows, checked rather than remembered: web → api → core → (db, lifecycle),
 * cli → core, and nothing imports an app. Each package names the workspace packages its
 * source may import; any other `@sidekey/*` runtime package is an error. Tests and test
 * helpers may reach further down (a test seeds rows directly), so they are exempt.
 */
const runtimePackages = ['lifecycle', 'db', 'core', 'api', 'client', 'dovecot', 'web', 'cli'];

/** @param {string} self the package's short name; @param {string[]} allowed what it may import */
export function importBoundaries(self, allowed) {
  const forbidden = runtimePackages.filter((name) => name !== self && !allowed.includes(name));
  const arrows = allowed.length ? allowed.join(', ') : 'no other Sidekey package';
  return [
    {
      files: ['**/*.ts', '**/*.js', '**/*.svelte'],
      ignores: ['**/*.test.ts', '**/testing.ts', '**/testing/**', 'test/**', 'scripts/**'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...forbidden.map((name) => ({
                group: [`@sidekey/${name}`, `@sidekey/${name}/*`],
                message: `@sidekey/${self} may import ${arrows}; go through the layer between.`,
              })),
              {
                group: ['**/apps/*', '**/apps/**'],
                message: 'Nothing imports an app: move what is shared into a package.',
              },
            ],
          },
        ],
      },
    },
  ];
}
