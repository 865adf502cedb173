import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

const root = path.resolve(__dirname, '../..');
const require = createRequire(import.meta.url);

/** electron-builder's own loader and schema check: offline, no Electron download needed. */
async function validate(projectDir: string, configPath: string): Promise<Record<string, unknown>> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util');
  const config = await getConfig(projectDir, configPath, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

describe('electron-builder.yml', () => {
  it('validates against electron-builder’s schema', async () => {
    const config = await validate(root, path.join(root, 'electron-builder.yml'));
    expect(config.appId).toBe('com.plainview.station');
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('the check bites: an unknown key is rejected', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    const bad = path.join(dir, 'electron-builder.yml');
    fs.writeFileSync(
      bad,
      `${fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')}\nautoUpdateEverything: true\n`,
    );
    await expect(validate(dir, bad)).rejects.toThrow(/autoUpdateEverything/);
  });
});
