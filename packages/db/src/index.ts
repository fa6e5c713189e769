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
export { DataDirLockedError, lockHolder, type LockHolder } from './data-dir-lock.ts';
export { backupPglite, backupPostgres, restorePglite, restorePostgres } from './backup.ts';
