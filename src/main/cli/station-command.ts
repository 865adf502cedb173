import { fileSink, streamSink } from '../log';
import { createStation } from '../station';
import { configOrExit } from './run';

const STOP_DEADLINE_MS = 5000;

/**
 * `plainview station`: the core without a window, in the foreground, logging to stdout and
 * the log file. SIGTERM or SIGINT stops it cleanly (writes finished, WAL checkpointed,
 * database closed); if that takes longer than 5 s it exits 1 rather than hang a service manager.
 */
export async function stationCommand(): Promise<number> {
  const { config, warnings, provenance } = configOrExit();
  const station = createStation(config, {
    logSinks: [streamSink(process.stdout), fileSink(config.dataDir, config.logMaxBytes)],
  });
  for (const w of warnings) station.log.warn(w);
  station.log.debug('configuration', { ...config, sources: provenance });

  process.on('unhandledRejection', (reason) => station.log.error('unhandled promise rejection', { error: reason }));
  await station.start();
  // Holds the process open while the station runs; the field link will too, once there is one.
  const keepAlive = setInterval(() => undefined, 60_000);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      station.log.info('stopping', { signal });
      const deadline = setTimeout(() => {
        station.log.error('clean stop took longer than 5 s; exiting anyway');
        resolve(1);
      }, STOP_DEADLINE_MS);
      station
        .stop()
        .then(() => resolve(0))
        .catch((err: unknown) => {
          station.log.error('stop failed', { error: err });
          resolve(1);
        })
        .finally(() => {
          clearTimeout(deadline);
          clearInterval(keepAlive);
        });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
