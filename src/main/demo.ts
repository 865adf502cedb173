import type { AlarmDefinitionInput } from '../shared/limits';
import type { Config } from './config';
import type { Logger } from './log';
import { demoDefinitions, FieldSimulator, startEmbeddedBroker } from './sim';

/** The built-in DEMO / training site: an embedded broker on loopback and the field simulator. */
export interface DemoSite {
  url: string;
  /** aedes speaks MQTT 3.1.1 only. */
  protocolVersion: 4;
  simulator: FieldSimulator;
  /** The site's rationalized alarm definitions (src/main/sim/demo-definitions.ts), for the station to load. */
  definitions: AlarmDefinitionInput[];
  stop(): Promise<void>;
}

/**
 * Started when no broker is configured, so a newcomer sees a live site with nothing to set
 * up. The site is marked DEMO in every message: no console can take it for a real line.
 */
export async function startDemoSite(config: Config, log: Logger, now: () => Date): Promise<DemoSite> {
  const broker = await startEmbeddedBroker();
  const simulator = new FieldSimulator({
    brokerUrl: broker.url,
    site: config.siteId,
    log,
    demo: true,
    valves: 24,
    rate: 20,
    now,
  });
  try {
    await simulator.start();
  } catch (err) {
    await broker.close();
    throw err;
  }
  log.info('DEMO site running on the embedded broker', { broker: broker.url, site: config.siteId });
  return {
    url: broker.url,
    protocolVersion: 4,
    simulator,
    definitions: demoDefinitions(simulator.layout),
    stop: async () => {
      await simulator.stop();
      await broker.close();
    },
  };
}
