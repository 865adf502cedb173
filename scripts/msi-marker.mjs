#!/usr/bin/env node
// Marks an MSI installation, so that it never updates itself, and puts its `plainview`
// command on the machine Path (electron-builder's MSI target has no setting for either).
//
// electron-updater cannot tell an MSI installation from an NSIS one: left alone it would
// download the NSIS installer and run it over what GPO or Intune installed. The MSI alone
// therefore writes HKLM\SOFTWARE\Plainview, value InstalledBy = "msi" (a registry value is its
// component's key path: Windows Installer removes it with the product, and only an
// administrator can write there). The app reads it (src/main/update/installed-by.ts) and then
// turns updates off whatever the policy says. The NSIS installer never writes it.
//
// electron-builder runs this after writing the WiX project and before compiling it
// (electron-builder.yml: msiProjectCreated), with the path of project.wxs. A project whose
// shape is not the one expected stops the build: an MSI without the marker would update itself.
//
// By hand, on a project electron-builder left behind: node scripts/msi-marker.mjs <project.wxs>
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ID = 'PlainviewInstalledByMsi';

/**
 * One component in the product's component group (whose Directory it takes). Its GUID is
 * fixed: the same component in every version, so a major upgrade keeps the value in place.
 */
export const MARKER_COMPONENT = [
  `<Component Id="${ID}" Guid="{2DBA8411-C5AD-434A-AE74-24EEC106BB09}">`,
  '        <RegistryValue Root="HKLM" Key="SOFTWARE\\Plainview" Name="InstalledBy" Type="string" Value="msi" KeyPath="yes"/>',
  // The `plainview` command (bin\plainview.cmd) on the machine Path, removed with the product.
  '        <Environment Id="PlainviewBinOnPath" Name="PATH" Value="[APPLICATIONFOLDER]bin" Part="last" Action="set" System="yes" Permanent="no"/>',
  '      </Component>',
].join('\n');

const GROUP = /(<ComponentGroup Id="ProductComponents"[^>]*>)([\s\S]*?)(\r?\n[ \t]*<\/ComponentGroup>)/;

/** The WiX project with the marker's component added (once; a second run changes nothing). */
export function addMsiMarker(wxs) {
  if (wxs.includes(`<Component Id="${ID}"`)) return wxs;
  if (!GROUP.test(wxs))
    throw new Error(
      'msi-marker: the WiX project has no <ComponentGroup Id="ProductComponents">; electron-builder changed its ' +
        'MSI template. Update scripts/msi-marker.mjs, or the MSI would update itself with the NSIS installer.',
    );
  return wxs.replace(GROUP, (_all, open, body, close) => `${open}${body}\n      ${MARKER_COMPONENT}${close}`);
}

/** electron-builder's msiProjectCreated hook (it looks for the export of that name). */
export async function msiProjectCreated(projectFile) {
  await fs.writeFile(projectFile, addMsiMarker(await fs.readFile(projectFile, 'utf8')));
  console.log(
    `msi-marker: ${path.basename(projectFile)} writes HKLM\\SOFTWARE\\Plainview InstalledBy=msi and adds bin to the Path`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/msi-marker.mjs <project.wxs>');
    process.exit(2);
  }
  await msiProjectCreated(path.resolve(file));
}
