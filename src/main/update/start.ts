import type { Logger } from '../log';
import { appVersion } from '../version';
import { UpdateService, type UpdateServiceOptions } from './service';

export { UpdateService, type Updates } from './service';

/**
 * Starts automatic updates for the desktop app; the Electron shell calls it once the station
 * runs and hands the service to the station's handlers (`StationDeps.updates`):
 *
 *     import { autoUpdater } from 'electron-updater';
 *     const updates = startAutoUpdate({ config, secrets, log, auditor, updater: autoUpdater });
 *
 * `updater: null` gives a service in state `unsupported` that never touches the network.
 * Never throws: a problem becomes the service's state and one log line.
 */
export function startAutoUpdate(
  options: Pick<UpdateServiceOptions, 'config' | 'secrets' | 'auditor' | 'updater'> & {
    log: Logger;
  } & Partial<Omit<UpdateServiceOptions, 'config' | 'secrets' | 'auditor' | 'updater' | 'log'>>,
): UpdateService {
  return new UpdateService({ currentVersion: appVersion, ...options, log: options.log.child('update') }).start();
}
