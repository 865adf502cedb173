import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MSI_MARKER } from '../../src/main/update/installed-by';
import { tempDir } from '../helpers/tmp';

/**
 * scripts/msi-marker.mjs, the msiProjectCreated hook that makes the MSI (and only the MSI)
 * write the registry value with which the app turns its updates off.
 *
 * tests/fixtures/msi/project.wxs is what electron-builder 26.17's MsiTarget.writeManifest
 * produces for this electron-builder.yml (per machine, one click, shortcuts) on Windows, for
 * an app folder of a few representative files.
 */
const root = path.resolve(__dirname, '../..');
const fixture = fs.readFileSync(path.join(root, 'tests/fixtures/msi/project.wxs'), 'utf8');
const require = createRequire(import.meta.url);
// The packages electron-builder uses, resolved the way electron-builder resolves them.
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));

interface Hook {
  addMsiMarker(wxs: string): string;
  msiProjectCreated(file: string): Promise<void>;
  MARKER_COMPONENT: string;
}
let hook: Hook;
beforeAll(async () => {
  hook = (await import(pathToFileURL(path.join(root, 'scripts/msi-marker.mjs')).href)) as Hook;
});

/** The little of @xmldom/xmldom's DOM these tests read. */
interface XmlElement {
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
  attributes: ArrayLike<{ name: string; value: string }>;
}
type XmlParser = new (options: { errorHandler: (level: string, msg: string) => void }) => {
  parseFromString(xml: string, type: string): XmlElement;
};

/** Parses WiX XML; any parser complaint fails the test. */
function parse(xml: string): XmlElement {
  const { DOMParser } = builderRequire('@xmldom/xmldom') as { DOMParser: XmlParser };
  const problems: string[] = [];
  const parser = new DOMParser({ errorHandler: (level, msg) => problems.push(`${level}: ${msg}`) });
  const parsed = parser.parseFromString(xml, 'text/xml');
  expect(problems).toEqual([]);
  return parsed;
}

const elements = (node: XmlElement, name: string) => Array.from(node.getElementsByTagName(name));

describe('scripts/msi-marker.mjs', () => {
  it('adds one component to the product’s components: HKLM\\SOFTWARE\\Plainview InstalledBy=msi, its key path, and bin on the machine Path', () => {
    const out = hook.addMsiMarker(fixture);
    const doc = parse(out);
    const [group] = elements(doc, 'ComponentGroup');
    expect(group!.getAttribute('Id')).toBe('ProductComponents');
    const marker = elements(group!, 'Component').filter((c) => c.getAttribute('Id') === 'PlainviewInstalledByMsi');
    expect(marker).toHaveLength(1);
    // A fixed, upper-case GUID (WiX -pedantic): the same component in every version.
    expect(marker[0]!.getAttribute('Guid')).toMatch(
      /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/,
    );
    const values = elements(marker[0]!, 'RegistryValue');
    expect(values.map((v) => Object.fromEntries(Array.from(v.attributes).map((a) => [a.name, a.value])))).toEqual([
      { Root: 'HKLM', Key: 'SOFTWARE\\Plainview', Name: 'InstalledBy', Type: 'string', Value: 'msi', KeyPath: 'yes' },
    ]);
    // The value the app looks for (src/main/update/installed-by.ts).
    expect(`HKLM\\${values[0]!.getAttribute('Key')}`).toBe(MSI_MARKER.key);
    expect(values[0]!.getAttribute('Name')).toBe(MSI_MARKER.value);
    expect(values[0]!.getAttribute('Value')).toBe(MSI_MARKER.data);
    // The `plainview` launcher's folder on the machine Path, removed with the product.
    const env = elements(marker[0]!, 'Environment');
    expect(env.map((v) => Object.fromEntries(Array.from(v.attributes).map((a) => [a.name, a.value])))).toEqual([
      {
        Id: 'PlainviewBinOnPath',
        Name: 'PATH',
        Value: '[APPLICATIONFOLDER]bin',
        Part: 'last',
        Action: 'set',
        System: 'yes',
        Permanent: 'no',
      },
    ]);
    // Everything else is as electron-builder wrote it.
    expect(out.replace(`\n      ${hook.MARKER_COMPONENT}`, '')).toBe(fixture);
    expect(elements(doc, 'Component')).toHaveLength(elements(parse(fixture), 'Component').length + 1);
  });

  it('a second run changes nothing; a project of another shape stops the build', () => {
    const once = hook.addMsiMarker(fixture);
    expect(hook.addMsiMarker(once)).toBe(once);
    const renamed = fixture.replaceAll('Id="ProductComponents"', 'Id="AppFiles"');
    expect(() => hook.addMsiMarker(renamed)).toThrow(/electron-builder changed its MSI template/);
  });

  it('as electron-builder calls it: rewrites project.wxs in place', async () => {
    const file = path.join(tempDir(), 'project.wxs');
    fs.writeFileSync(file, fixture);
    // electron-builder takes the export named like the hook.
    expect(hook.msiProjectCreated).toBeTypeOf('function');
    await hook.msiProjectCreated(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(hook.addMsiMarker(fixture));
  });

  it('the installed electron-builder’s MSI project still has the shape the hook expects', async () => {
    // electron-builder's index first: its modules import one another in that order.
    builderRequire('./out/index');
    const MsiTarget = builderRequire('./out/targets/MsiTarget').default;
    const { getEffectiveOptions } = builderRequire('./out/options/CommonWindowsInstallerConfiguration');
    const { Arch } = builderRequire('builder-util');
    const app = tempDir();
    fs.mkdirSync(path.join(app, 'resources'));
    for (const f of ['Plainview.exe', 'ffmpeg.dll', 'resources/app.asar']) fs.writeFileSync(path.join(app, f), '');
    const appInfo = {
      id: 'com.plainview.station',
      productName: 'Plainview',
      productFilename: 'Plainview',
      sanitizedProductName: 'Plainview',
      companyName: 'Plainview',
      getVersionInWeirdWindowsForm: () => '1.4.0.0',
    };
    const packager = {
      config: { msi: { oneClick: true, perMachine: true }, toolsets: {} },
      platformSpecificBuildOptions: {},
      appInfo,
      fileAssociations: [],
      compression: 'normal',
      getIconPath: () => Promise.resolve(null),
      expandMacro: (s: string) => s,
    };
    const target = new MsiTarget(packager, tempDir());
    const wxs: string = await target.writeManifest(app, Arch.x64, getEffectiveOptions(target.options, packager));
    const doc = parse(hook.addMsiMarker(wxs));
    const ids = elements(doc, 'Component').map((c) => c.getAttribute('Id'));
    expect(ids.filter((id) => id === 'PlainviewInstalledByMsi')).toHaveLength(1);
  });

  it('electron-builder.yml runs it for the MSI', () => {
    const yml = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(/^msiProjectCreated: \.\/scripts\/msi-marker\.mjs(?: #.*)?$/m);
  });
});
