#!/usr/bin/env node
// The deb's maintainer scripts (electron-builder.yml: deb.afterInstall, deb.afterRemove):
// electron-builder's own templates with one change, so that `/usr/bin/plainview` is the
// command-line launcher (resources/bin/linux/plainview, installed as
// /opt/Plainview/bin/plainview) instead of the app's binary. The launcher starts the
// desktop app when given no arguments and runs a command with Chromium's headless platform
// otherwise, which the binary cannot decide for itself: Chromium picks its display platform
// before the app's code runs, so without a display (SSH, a service) the binary would stop
// before it could see the command.
//
// Derived, not hand-edited: tests/unit/packaging.test.ts checks that the committed files are
// what this script makes from the installed electron-builder, so an electron-builder update
// that changes its templates is noticed. Rewrite them with: node scripts/deb-scripts.mjs
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const BINARY = "'/opt/${sanitizedProductName}/${executable}'";
const LAUNCHER = "'/opt/${sanitizedProductName}/bin/${executable}'";
export const DEB_SCRIPTS = ['after-install.tpl', 'after-remove.tpl'];

/** electron-builder's template `name` with the /usr/bin link pointed at the launcher. */
export function debScript(projectDir, name) {
  const require = createRequire(path.join(projectDir, 'package.json'));
  const templates = path.join(path.dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux');
  const original = fs.readFileSync(path.join(templates, name), 'utf8');
  if (!original.includes(BINARY)) {
    throw new Error(`electron-builder's ${name} no longer names ${BINARY}: derive the deb scripts again by hand`);
  }
  return original.replaceAll(BINARY, LAUNCHER);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  for (const name of DEB_SCRIPTS) {
    fs.writeFileSync(path.join(root, 'resources', 'linux', name), debScript(root, name));
    console.log(`resources/linux/${name} written`);
  }
}
