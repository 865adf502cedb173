import { describe, expect, it } from 'vitest';
import { mainWindowOptions, rendererLocation, trustedSender } from '../../src/main/shell/window';

describe('the main window', () => {
  it('gives the renderer no Node, a sandbox, an isolated preload and none of the risky features', () => {
    const prefs = mainWindowOptions('/app/out/preload/index.js').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.js',
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
    });
    // Never set: each would widen what the page can do.
    expect(prefs.enableBlinkFeatures).toBeUndefined();
    expect(prefs.partition).toBeUndefined();
    expect(prefs.additionalArguments).toBeUndefined();
  });

  it('opens full screen or in kiosk mode when policy says so, normal otherwise', () => {
    expect(mainWindowOptions('/p', 'normal')).toMatchObject({ fullscreen: false, kiosk: false });
    expect(mainWindowOptions('/p', 'fullscreen')).toMatchObject({ fullscreen: true, kiosk: false });
    expect(mainWindowOptions('/p', 'kiosk')).toMatchObject({ fullscreen: true, kiosk: true, autoHideMenuBar: true });
  });

  it('opens where it was last placed, or centred at the default size', () => {
    expect(mainWindowOptions('/p')).toMatchObject({ width: 1600, height: 1000, center: true });
    const placed = mainWindowOptions('/p', 'normal', { bounds: { x: 1920, y: 40, width: 1400, height: 900 } });
    expect(placed).toMatchObject({ x: 1920, y: 40, width: 1400, height: 900 });
    expect(placed.center).toBeUndefined();
  });

  it('loads the built console from app://, the dev server only when given', () => {
    expect(rendererLocation(undefined)).toBe('app://plainview/index.html');
    expect(rendererLocation('')).toBe('app://plainview/index.html');
    expect(rendererLocation('http://localhost:5173')).toBe('http://localhost:5173');
  });

  it('trusts only the frame that shows our renderer', () => {
    const trust = trustedSender(rendererLocation(undefined));
    expect(trust('app://plainview/index.html')).toBe(true);
    expect(trust('app://plainview/index.html#/alarms')).toBe(true);
    expect(trust('app://evil/index.html')).toBe(false);
    expect(trust('https://plainview/index.html')).toBe(false);
    expect(trust('file:///app/out/renderer/index.html')).toBe(false);
    expect(trust('blob:app://plainview/1234')).toBe(false);
    expect(trust('https://example.com/')).toBe(false);
    expect(trust('not a url')).toBe(false);
    expect(trust('')).toBe(false);

    const dev = trustedSender(rendererLocation('http://localhost:5173'));
    expect(dev('http://localhost:5173/')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('app://plainview/index.html')).toBe(false);
  });
});
