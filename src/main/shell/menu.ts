import type { MenuItemConstructorOptions } from 'electron';
import type { WindowMode } from './window';

/**
 * The application menu of a packaged app. Electron's default menu carries Reload, Force
 * Reload and Toggle Developer Tools (Ctrl+Shift+I), also in kiosk mode; at a control-room
 * console those let someone fake the display or hold off the idle lock. This one keeps what
 * an operator needs: editing keys for the forms, zoom, full screen (not in kiosk mode), the
 * window, and on macOS the app menu. Development builds keep Electron's menu.
 */
export function productionMenu(platform: NodeJS.Platform, mode: WindowMode): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    ...(mode === 'kiosk' ? [] : [{ type: 'separator' as const }, { role: 'togglefullscreen' as const }]),
  ];
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
}

/** Menu roles that would open developer tools or reload the console: never in the menu above. */
export const DEVELOPER_ROLES = ['toggleDevTools', 'reload', 'forceReload', 'viewMenu'] as const;
