import { regQuery, type RegistryQuery } from '../config/paths';

/**
 * The MSI (and only the MSI: scripts/msi-marker.mjs adds it to the package) writes
 * HKLM\SOFTWARE\Plainview, value InstalledBy = "msi". Only an administrator can write there.
 */
export const MSI_MARKER = { key: 'HKLM\\SOFTWARE\\Plainview', value: 'InstalledBy', data: 'msi' } as const;

/**
 * Whether IT installed this Plainview with the MSI. electron-updater cannot tell: left alone
 * it would replace an MSI installation with the NSIS installer, behind GPO's or Intune's back.
 * The 64-bit registry view, where the x64 MSI writes, whatever the caller's bitness.
 */
export function installedByMsi(platform: NodeJS.Platform = process.platform, query: RegistryQuery = regQuery): boolean {
  if (platform !== 'win32') return false;
  const out = query(['query', MSI_MARKER.key, '/v', MSI_MARKER.value, '/reg:64']);
  const data = out && new RegExp(`^\\s*${MSI_MARKER.value}\\s+REG_SZ\\s+(.+?)\\s*$`, 'im').exec(out)?.[1];
  return data?.toLowerCase() === MSI_MARKER.data;
}
