export { openStore, storePaths, DB_FILE, type OpenOptions } from './open';
export { Store } from './store';
export { StoreError } from './errors';
export { openConnection, readPragmas } from './connection';
export { integrityCheck, inspectFile } from './file-check';
export { migrate, rollback, schemaVersion, latestVersion } from './migrator';
export type { Migration } from './migration';
export { tableNames, type Tables, type TableName } from './tables';
