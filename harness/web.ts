/**
 * `npm run dev:web`: the console in your browser against a real station (the DEMO site
 * unless PLAINVIEW_MQTT_URL is set). Development only: loopback, a token per launch.
 */
import { startHarness } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.PLAINVIEW_HARNESS_PORT ?? 0);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('PLAINVIEW_'))) as Record<
    string,
    string
  >;
  const harness = await startHarness({ port, env, logToStdout: true });
  console.log(`\nPlainview console: ${harness.url}\n`);
  const stop = () => void harness.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`plainview dev:web: ${(err as Error).message}`);
  process.exit(1);
});
