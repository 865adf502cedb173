import { describe, expect, it } from 'vitest';
import {
  EXTERNAL_ALLOWLIST,
  hardenContents,
  isAllowedExternal,
  openExternalSafely,
  sameAppOrigin,
} from '../../src/main/shell/navigation';
import { denyAllPermissions } from '../../src/main/shell/permissions';
import { FakeSession, FakeShell, FakeWebContents, testLogger } from '../helpers/fake-electron';

const ALLOWED = 'https://plainview.example/docs/valves.html';

function hardened(appUrl = 'app://plainview/index.html') {
  const contents = new FakeWebContents();
  const shell = new FakeShell();
  const { log, lines } = testLogger();
  hardenContents(contents, { shell, isAppUrl: sameAppOrigin(appUrl), log });
  return { contents, shell, lines };
}

describe('navigation', () => {
  it('is refused to anywhere outside the app', () => {
    const { contents, lines } = hardened();
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-navigate', 'app://other/index.html')).toBe(true);
    expect(contents.navigate('will-navigate', 'http://localhost:5173/')).toBe(true);
    expect(contents.navigate('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(contents.navigate('will-navigate', 'data:text/html,<script>1</script>')).toBe(true);
    expect(contents.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-frame-navigate', 'https://evil.example/', false)).toBe(true);
    expect(lines.some((l) => l.includes('navigation refused') && l.includes('evil.example'))).toBe(true);
  });

  it('is allowed within the app (a reload, the console’s own downloads)', () => {
    const { contents } = hardened();
    expect(contents.navigate('will-navigate', 'app://plainview/index.html')).toBe(false);
    expect(contents.navigate('will-navigate', 'app://plainview/index.html#/alarms')).toBe(false);
    expect(contents.navigate('will-redirect', 'app://plainview/index.html')).toBe(false);
    expect(contents.navigate('will-navigate', 'blob:app://plainview/0d7c-44')).toBe(false);
    expect(contents.navigate('will-navigate', 'blob:https://evil.example/0d7c-44')).toBe(true);
  });

  it('in development, is allowed on the dev server only', () => {
    const { contents } = hardened('http://localhost:5173/');
    expect(contents.navigate('will-navigate', 'http://localhost:5173/#/valves')).toBe(false);
    expect(contents.navigate('will-navigate', 'http://localhost:5174/')).toBe(true);
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
  });

  it('refuses every <webview>', () => {
    const { contents } = hardened();
    expect(contents.attachWebview('https://evil.example/')).toBe(true);
    expect(contents.attachWebview('app://plainview/index.html')).toBe(true);
  });
});

describe('new windows and external links', () => {
  it('window.open is always denied; an allowlisted https link opens in the OS browser', () => {
    const { contents, shell } = hardened();
    expect(contents.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(contents.open('app://plainview/index.html')).toEqual({ action: 'deny' });
    expect(contents.open('http://plainview.example/docs/valves.html')).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual([]);
    expect(contents.open(ALLOWED)).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual([ALLOWED]);
  });

  it('openExternal only for https URLs under an allowlisted prefix', () => {
    expect(EXTERNAL_ALLOWLIST.every((u) => u.startsWith('https://'))).toBe(true);
    expect(isAllowedExternal(ALLOWED)).toBe(true);
    for (const url of [
      'http://plainview.example/docs/valves.html',
      'https://plainview.example/admin',
      'https://plainview.example.evil.example/docs/',
      'https://user:pw@plainview.example/docs/',
      'file:///C:/Windows/System32/calc.exe',
      'smb://server/share',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
    const shell = new FakeShell();
    expect(openExternalSafely(shell, 'file:///etc/passwd')).toBe(false);
    expect(openExternalSafely(shell, ALLOWED)).toBe(true);
    expect(shell.opened).toEqual([ALLOWED]);
  });
});

describe('permissions', () => {
  it('every request is answered no, every check and device says no', async () => {
    const session = new FakeSession();
    const { log, lines } = testLogger();
    denyAllPermissions(session, log);
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ] as const) {
      expect(await session.ask(p)).toBe(false);
    }
    expect(session.check!(null, 'hid', 'app://plainview', {} as never)).toBe(false);
    expect(session.check!(null, 'clipboard-read', 'app://plainview', {} as never)).toBe(false);
    expect(session.device!({} as never)).toBe(false);
    expect(lines.some((l) => l.includes('permission request refused') && l.includes('media'))).toBe(true);
  });
});
