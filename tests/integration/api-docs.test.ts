import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http';
import { testStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const DOC = path.resolve(__dirname, '../../docs/api.md');

describe('docs/api.md', () => {
  it('every sh example runs against a DEMO station, as written', async () => {
    const port = await freePort();
    // No broker configured: the station runs the DEMO site, as on a newcomer's machine.
    const t = testStation({ PLAINVIEW_API_ENABLED: 'true', PLAINVIEW_API_PORT: String(port) });
    await t.station.start();
    cleanups.push(() => t.station.stop());
    await waitFor(() => t.station.running().field.state.valveList().length === 24, 'the DEMO valves', 20_000);
    await waitFor(
      () =>
        t.station
          .running()
          .field.state.valveList()
          .every((v) => v.quality === 'good'),
      'fresh values',
      20_000,
    );
    const keys = t.station.running().apiKeys;
    const blocks = [...fs.readFileSync(DOC, 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    const script = ['set -euo pipefail', ...blocks].join('\n').replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`);
    // Not spawnSync: the station answering these requests runs in this process.
    const r = await run(script, {
      PLAINVIEW_KEY: keys.create('docs-read', 'read').key,
      PLAINVIEW_WRITE_KEY: keys.create('docs-write', 'write').key,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^(ok|degraded)$/m); // health
    expect(out).toMatch(/^v-101 open good$/m); // the segment listing
    expect(out).toMatch(/^\{"lastTenMinutes":\d+,"flood":/m); // alarm metrics
    expect(out).toMatch(/^investigating$/m); // the incident update
    expect(out).toMatch(/^401$/m); // actuation without a key
    expect(out).toContain('"read_only_key"');
    expect(out).toContain('"host_forbidden"');
    expect(out).toMatch(/^Close v-102 /m); // the selection in words
    expect(out).toMatch(/^(sent|accepted|completed)$/m); // the confirmed command, as it stands
    expect(out).toMatch(/^event: /m); // the event stream
    expect(out).toContain('/valves/{id}/actuate'); // the OpenAPI paths
  }, 90_000);
});

function run(
  script: string,
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
