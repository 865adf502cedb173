import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The main window's options. Kept pure so a test can assert every security setting
 * without Electron: the renderer gets no Node, runs sandboxed and isolated, and reaches
 * the station only through the preload's contract methods.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1600,
    height: 1000,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: '#d9dadb',
    title: 'Plainview',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  };
}

/** Where the renderer is loaded from: the dev server in development, the built file otherwise. */
export function rendererLocation(outDir: string, devServerUrl: string | undefined): string {
  return devServerUrl ?? pathToFileURL(path.join(outDir, 'renderer', 'index.html')).href;
}

/** Only frames showing our own renderer may call the station. */
export function trustedSender(rendererUrl: string): (url: string) => boolean {
  const expected = new URL(rendererUrl);
  return (url) => {
    try {
      const u = new URL(url);
      if (expected.protocol === 'file:') return u.protocol === 'file:' && u.pathname === expected.pathname;
      return u.origin === expected.origin;
    } catch {
      return false;
    }
  };
}
