import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `file`, returning the rule ids that fired. */
async function rulesFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('process boundaries (ESLint)', () => {
  it('a renderer file importing from src/main fails lint', async () => {
    expect(
      await rulesFor(
        'src/renderer/views/Bad.tsx',
        "import { createStation } from '../../main/station';\nexport const x = createStation;\n",
      ),
    ).toContain('no-restricted-imports');
  });

  it('the renderer cannot import Node built-ins or Electron', async () => {
    for (const mod of ['node:fs', 'fs', 'child_process', 'electron']) {
      expect(
        await rulesFor('src/renderer/app/Bad.ts', `import * as m from '${mod}';\nexport const x = m;\n`),
        mod,
      ).toContain('no-restricted-imports');
    }
  });

  it('shared code imports nothing from the processes, Electron or Node', async () => {
    for (const mod of [
      '../main/station',
      '../../renderer/app/App',
      '../preload/index',
      'electron',
      'node:path',
      'os',
    ]) {
      expect(
        await rulesFor('src/shared/ipc/bad.ts', `import * as m from '${mod}';\nexport const x = m;\n`),
        mod,
      ).toContain('no-restricted-imports');
    }
  });

  it('the preload reaches neither main nor Node', async () => {
    for (const mod of ['../main/station', 'node:fs']) {
      expect(
        await rulesFor('src/preload/bad.ts', `import * as m from '${mod}';\nexport const x = m;\n`),
        mod,
      ).toContain('no-restricted-imports');
    }
  });

  it('the allowed imports pass: renderer → shared, preload → electron, main → node', async () => {
    expect(
      await rulesFor(
        'src/renderer/app/Ok.ts',
        "import type { Health } from '../../shared/health';\nexport type X = Health;\n",
      ),
    ).toEqual([]);
    expect(
      await rulesFor(
        'src/preload/ok.ts',
        "import { contextBridge } from 'electron';\nexport const x = contextBridge;\n",
      ),
    ).toEqual([]);
    expect(await rulesFor('src/main/ok.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).toEqual([]);
  });
});

describe('rooms inside main (ESLint)', () => {
  const fails = async (file: string, mod: string) =>
    expect(await rulesFor(file, `import * as m from '${mod}';\nexport const x = m;\n`), `${file} → ${mod}`).toContain(
      'no-restricted-imports',
    );
  const passes = async (file: string, mod: string) =>
    expect(await rulesFor(file, `import * as m from '${mod}';\nexport const x = m;\n`), `${file} → ${mod}`).toEqual([]);

  it('only the shell imports Electron', async () => {
    for (const file of [
      'src/main/alarms/bad.ts',
      'src/main/station.ts',
      'src/main/field/bad.ts',
      'src/main/api/bad.ts',
    ])
      await fails(file, 'electron');
    for (const file of [
      'src/main/index.ts',
      'src/main/shell/ok.ts',
      'src/main/update/ok.ts',
      'src/main/ipc/electron.ts',
    ])
      await passes(file, 'electron');
  });

  it('domain rooms never import a transport, the shell or the simulator', async () => {
    for (const room of ['actuation', 'alarms', 'incidents', 'handover', 'operators', 'audit'])
      for (const transport of ['../api/server', '../ipc/router', '../shell/window', '../sim/simulator'])
        await fails(`src/main/${room}/bad.ts`, transport);
    await passes('src/main/alarms/ok.ts', '../field/state');
    await passes('src/main/alarms/ok.ts', '../sync/outbox');
  });

  it('the field, telemetry, sync and console never import the rooms above them', async () => {
    await fails('src/main/field/bad.ts', '../alarms/service');
    await fails('src/main/field/bad.ts', '../ipc/router');
    await fails('src/main/console/bad.ts', '../actuation/service');
    await fails('src/main/telemetry/bad.ts', '../field/state');
    await fails('src/main/sync/bad.ts', '../field/link');
    await fails('src/main/sync/bad.ts', '../incidents/service');
    await passes('src/main/field/ok.ts', '../telemetry/writer');
    await passes('src/main/console/ok.ts', '../field/state');
  });

  it('history (the files samples are kept in) is below telemetry', async () => {
    await fails('src/main/history/bad.ts', '../telemetry/writer');
    await fails('src/main/history/bad.ts', '../field/state');
    await fails('src/main/history/bad.ts', '../alarms/service');
    await passes('src/main/history/ok.ts', '../store/connection');
    await passes('src/main/telemetry/ok.ts', '../history/reader');
    await fails('src/main/store/bad.ts', '../history/writer');
  });

  it('the store imports no room that uses it', async () => {
    for (const room of [
      '../alarms/service',
      '../field/field',
      '../telemetry/writer',
      '../sync/outbox',
      '../api/server',
    ])
      await fails('src/main/store/bad.ts', room);
    await passes('src/main/store/ok.ts', './sql');
  });

  it('the renderer reaches the station only through client.ts', async () => {
    const call = 'export const x = () => window.plainview.valves.list();\n';
    expect(await rulesFor('src/renderer/views/Bad.tsx', call)).toContain('no-restricted-properties');
    expect(await rulesFor('src/renderer/stores/bad.ts', call)).toContain('no-restricted-properties');
    expect(await rulesFor('src/renderer/client.ts', call)).toEqual([]);
  });
});
