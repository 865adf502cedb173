export { openStore, storePaths } from './open';
export { Store } from './store';
export { StoreError } from './errors';
export { openConnection, readPragmas } from './connection';
export { integrityCheck } from './file-check';
export { migrate, rollback, schemaVersion, latestVersion } from './migrator';
export { tableNames } from './tables';
export { compact, COMPACT_MIN_FREE_BYTES, freeBytes, type Compaction } from './compact';
