/** A store problem that stops the station with one clear line and a non-zero exit. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code:
      'schema_too_new' | 'corrupt_no_backup' | 'migration_failed' | 'refused' | 'pragma' | 'unavailable' | 'locked',
    readonly exitCode = 3,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
