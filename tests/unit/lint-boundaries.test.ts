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
