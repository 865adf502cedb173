import { describe, expect, it } from 'vitest';
import { mainWindowOptions, rendererLocation, trustedSender } from '../../src/main/shell/window';

describe('the main window', () => {
  it('gives the renderer no Node, a sandbox and an isolated preload', () => {
    const prefs = mainWindowOptions('/app/out/preload/index.js').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });

  it('trusts only the frame that shows our renderer', () => {
    const built = rendererLocation('/app/out', undefined);
    expect(built).toBe('file:///app/out/renderer/index.html');
    const trust = trustedSender(built);
    expect(trust('file:///app/out/renderer/index.html')).toBe(true);
    expect(trust('file:///tmp/evil.html')).toBe(false);
    expect(trust('https://example.com/')).toBe(false);
    expect(trust('not a url')).toBe(false);

    const dev = trustedSender(rendererLocation('/app/out', 'http://localhost:5173'));
    expect(dev('http://localhost:5173/')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
  });
});
