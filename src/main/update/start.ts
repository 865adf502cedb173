import type { Logger } from '../log';
import { appVersion } from '../version';
import { installedByMsi } from './installed-by';
import { UpdateService, type UpdateServiceOptions } from './service';

export { UpdateService } from './service';

/**
 * Starts automatic updates for the desktop app. The Electron shell calls it once the station
 * runs (the service audits with the station's auditor) and gives it to the station's
 * handlers through `StationDeps.updates`, which is asked at each call:
 *
 *     let updates: UpdateService | null = null;
 *     station = createStation(config, { ..., updates: () => updates });
 *     await station.start();
 *     updates = startAutoUpdate({ config, secrets, log: station.log,
 *       auditor: station.running().auditor, updater: autoUpdater });
 *
 * `updater: null` gives a service in state `unsupported` that never touches the network. An
 * MSI installation (the marker its package writes, installed-by.ts) gives `disabled`, "updated
 * by your IT department", whatever the policy says. Never throws: a problem becomes the
 * service's state and one log line.
 */
export function startAutoUpdate(
  options: Pick<UpdateServiceOptions, 'config' | 'secrets' | 'auditor' | 'updater'> & {
    log: Logger;
  } & Partial<Omit<UpdateServiceOptions, 'config' | 'secrets' | 'auditor' | 'updater' | 'log'>>,
): UpdateService {
  return new UpdateService({
    currentVersion: appVersion,
    ...options,
    installedByMsi: options.installedByMsi ?? installedByMsi(options.platform),
    log: options.log.child('update'),
  }).start();
}
