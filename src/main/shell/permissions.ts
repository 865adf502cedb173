import type { Session } from 'electron';
import type { Logger } from '../log';

export type PermissionSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>;

/**
 * The console needs no browser permission (camera, microphone, geolocation, notifications,
 * clipboard reads, HID/USB/serial devices, fullscreen, openExternal...): every request is
 * answered no, every check says no, every device is refused. Notifications are raised by
 * main with Electron's Notification, not by the page.
 */
export function denyAllPermissions(session: PermissionSession, log: Logger): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    log.warn('permission request refused', { permission, origin: originOf(details?.requestingUrl) });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

function originOf(url: string | undefined): string {
  try {
    const u = new URL(url ?? '');
    return `${u.protocol}//${u.host}`;
  } catch {
    return '';
  }
}
