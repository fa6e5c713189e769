export * from './schema/index.ts';
export {
  createDb,
  migrateDatabase,
  type CreateDbOptions,
  type Database,
  type Db,
  type DbOrTx,
  type Schema,
  type Tx,
} from './create-db.ts';
