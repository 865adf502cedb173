import type { Migration } from '../src/main/store/migration';
import { m0001 } from './0001-initial';
import { m0002 } from './0002-valve-capabilities';
import { m0003 } from './0003-alarm-sync-and-handover';
import { m0004 } from './0004-incident-events';
import { m0005 } from './0005-outbox-snapshots';
import { m0006 } from './0006-limit-alarms';
import { m0007 } from './0007-site-operators';
import { m0008 } from './0008-audit-chain';
import { m0009 } from './0009-history-files';

/**
 * Every schema version, in order. Listed by hand, not found by scanning the folder:
 * the main process is bundled, and a bundle has no folder to scan.
 */
export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009];
