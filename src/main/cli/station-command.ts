import { announceConfig } from '../config';
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
  const loaded = configOrExit();
  const { config } = loaded;
  const station = createStation(config, {
    logSinks: [
      streamSink(process.stdout),
      fileSink(config.dataDir, config.logMaxBytes, { keep: config.logFiles, maxTotalBytes: config.logMaxTotalBytes }),
    ],
  });
  announceConfig(station.log, loaded);
  process.on('unhandledRejection', (reason) => station.log.error('unhandled promise rejection', { error: reason }));
  // A bug that escapes every handler: log it, close the database cleanly, exit non-zero so
  // the service manager restarts a known-good process rather than one in an unknown state.
  process.once('uncaughtException', (err) => {
    station.log.error('uncaught exception; stopping the station', { error: err, stack: err.stack });
    void station.stop().finally(() => process.exit(1));
  });

  // Signals are taken before start-up, so a stop asked for while starting waits for it.
  let signalled: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  // A repeated signal does not cut the clean stop short; the 5 s deadline bounds it.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return station.log.warn('already stopping', { signal });
    stopping = true;
    signalled(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  await station.start();
  // Holds the process open while the station runs; the field link will too, once there is one.
  const keepAlive = setInterval(() => undefined, 60_000);

  const signal = await stopRequested;
  station.log.info('stopping', { signal });
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => {
    deadline = setTimeout(() => {
      station.log.error('clean stop took longer than 5 s; exiting anyway');
      resolve(1);
    }, STOP_DEADLINE_MS);
  });
  const stopped = station.stop().then(
    () => 0,
    (err: unknown) => {
      station.log.error('stop failed', { error: err });
      return 1;
    },
  );
  const code = await Promise.race([stopped, timedOut]);
  clearTimeout(deadline);
  clearInterval(keepAlive);
  return code;
}
