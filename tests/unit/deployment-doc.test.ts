import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { appVersion } from '../../src/main/version';

const DOC = fs.readFileSync(path.resolve(__dirname, '../../DEPLOYMENT.md'), 'utf8');

/** The rows of the table that starts with `header`: its cells, trimmed. */
function table(header: string): string[][] {
  const start = DOC.indexOf(header);
  expect(start, `a table headed "${header}" in DEPLOYMENT.md`).toBeGreaterThan(0);
  return DOC.slice(start)
    .split('\n\n')[0]!
    .split('\n')
    .slice(2)
    .map((r) =>
      r
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

const newestSchema = Math.max(...migrations.map((m) => m.version));

describe("DEPLOYMENT.md's schema-to-release table", () => {
  const rows = table('| Release | Schema version |');

  it('names this release with the newest schema version it opens', () => {
    const row = rows.find(([release]) => release === appVersion);
    expect(row, `a row for release ${appVersion}`).toBeDefined();
    expect(Number(row![1])).toBe(newestSchema);
    expect(row![2]).toBe(`1 to ${newestSchema}`);
  });

  it('lists releases in order, each opening at least the schema of the one before', () => {
    const schemas = rows.map((r) => Number(r[1]));
    expect(schemas.every((v) => Number.isInteger(v) && v >= 1)).toBe(true);
    expect(schemas).toEqual([...schemas].sort((a, b) => a - b));
  });
});

describe("DEPLOYMENT.md's security checklist", () => {
  it('names only tests that exist', () => {
    const section = DOC.slice(DOC.indexOf('## Security checklist'), DOC.indexOf('## Troubleshooting'));
    const named = [...section.matchAll(/`((?:unit|integration|packaging|e2e)\/[\w.*-]+\.(?:test|spec)\.ts)`/g)].map(
      (m) => m[1]!,
    );
    expect(named.length).toBeGreaterThan(10);
    const tests = path.resolve(__dirname, '..');
    for (const file of named) {
      if (file.includes('*')) continue;
      expect(fs.existsSync(path.join(tests, file)), file).toBe(true);
    }
  });
});
