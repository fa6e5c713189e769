import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema and committed; review them like code.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './migrations',
});
