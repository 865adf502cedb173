import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { APP_INDEX_URL } from './protocol';

export type WindowMode = 'normal' | 'fullscreen' | 'kiosk';

export interface WindowPlacement {
  /** Where to put the window; absent: the default size, centred by Electron. */
  bounds?: Rectangle;
  maximized?: boolean;
}

export const DEFAULT_SIZE = { width: 1600, height: 1000 } as const;

/**
 * The main window's options. Kept pure so a test can assert every security setting
 * without Electron: the renderer gets no Node, runs sandboxed and isolated, and reaches
 * the station only through the preload's contract methods. `mode` comes from policy
 * (`windowMode`): full screen, or kiosk (full screen the operator cannot leave).
 */
export function mainWindowOptions(
  preloadPath: string,
  mode: WindowMode = 'normal',
  placement: WindowPlacement = {},
  /** Only in development: at a console, DevTools could fake the display or hold off the idle lock. */
  devTools = false,
): BrowserWindowConstructorOptions {
  const b = placement.bounds;
  return {
    ...(b ? { x: b.x, y: b.y, width: b.width, height: b.height } : { ...DEFAULT_SIZE, center: true }),
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: '#d9dadb',
    title: 'Plainview',
    fullscreen: mode === 'fullscreen' || mode === 'kiosk',
    kiosk: mode === 'kiosk',
    // Kiosk: no menu bar to reach (and no Alt to show it).
    autoHideMenuBar: mode === 'kiosk',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      disableDialogs: false,
      spellcheck: false,
      devTools,
    },
  };
}

/** Where the renderer is loaded from: the dev server in development, `app://plainview/` otherwise. */
export function rendererLocation(devServerUrl: string | undefined): string {
  return devServerUrl || APP_INDEX_URL;
}

/**
 * Only frames showing our own renderer may call the station: the app origin
 * (`app://plainview`) for the built console, the dev server's origin in development.
 */
export function trustedSender(rendererUrl: string): (url: string) => boolean {
  const expected = new URL(rendererUrl);
  return (url) => {
    try {
      const u = new URL(url);
      // Scheme and host, not `origin`: Node gives `app:` URLs an opaque origin ("null").
      return u.protocol === expected.protocol && u.host === expected.host && u.host !== '';
    } catch {
      return false;
    }
  };
}
