import type { EventEmitter } from 'node:events';
import type {
  Event as ElectronEvent,
  HandlerDetails,
  Shell,
  WebContents,
  WebContentsWillFrameNavigateEventParams,
  WebContentsWillNavigateEventParams,
  WebContentsWillRedirectEventParams,
  WebPreferences,
} from 'electron';
import type { Logger } from '../log';

/**
 * The only places outside the app a link may open, in the operator's default browser:
 * https, origin and path prefix. The console links nothing external today; a link IT
 * wants (a site procedure, a vendor manual) is added here and nowhere else.
 */
export const EXTERNAL_ALLOWLIST: readonly string[] = ['https://plainview.example/docs/'];

/** True for an https URL (no user name or password in it) under an allowlisted prefix. */
export function isAllowedExternal(url: string, allowlist: readonly string[] = EXTERNAL_ALLOWLIST): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  return allowlist.some((entry) => {
    const allowed = new URL(entry);
    return u.origin === allowed.origin && u.pathname.startsWith(allowed.pathname);
  });
}

/**
 * Opens `url` in the OS browser only if it is on the allowlist; everything else is refused
 * (and logged). The one way the app calls `shell.openExternal`.
 */
export function openExternalSafely(
  shell: Pick<Shell, 'openExternal'>,
  url: string,
  log?: Logger,
  allowlist: readonly string[] = EXTERNAL_ALLOWLIST,
): boolean {
  if (!isAllowedExternal(url, allowlist)) {
    log?.warn('refused to open an external link', { url: safeUrl(url) });
    return false;
  }
  void shell.openExternal(url).catch((err: unknown) => log?.warn('could not open an external link', { error: err }));
  return true;
}

/**
 * Same origin as the app's page: `app://plainview` for the built console (Node's URL gives
 * non-special schemes an opaque origin, so scheme and host are compared), the dev server's
 * origin in development. A `blob:` URL counts by the origin inside it (the console's
 * downloads are blob URLs it created itself).
 */
export function sameAppOrigin(appUrl: string): (url: string) => boolean {
  const expected = new URL(appUrl);
  return (url) => {
    try {
      let u = new URL(url);
      if (u.protocol === 'blob:') u = new URL(u.pathname);
      return u.protocol === expected.protocol && u.host === expected.host && u.host !== '';
    } catch {
      return false;
    }
  };
}

/** The part of a webContents the hardening needs (a fake in tests, the real one in the app). */
export type HardenableContents = Pick<EventEmitter, 'on'> & Pick<WebContents, 'setWindowOpenHandler'>;

export interface HardenDeps {
  shell: Pick<Shell, 'openExternal'>;
  /** Whether a navigation target is the app itself (see `sameAppOrigin`). */
  isAppUrl: (url: string) => boolean;
  log: Logger;
  allowlist?: readonly string[];
}

/**
 * Applied to every webContents the app creates (`app.on('web-contents-created')`):
 * - navigation (main frame, subframes, redirects) only within the app's origin;
 * - no new windows: `window.open` and `target=_blank` are denied, an allowlisted https
 *   link goes to the OS browser instead;
 * - no `<webview>` (also off in webPreferences).
 */
export function hardenContents(contents: HardenableContents, deps: HardenDeps): void {
  const { isAppUrl, log } = deps;
  const deny = (kind: string, url: string, event: { preventDefault(): void }) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    log.warn(`${kind} refused`, { url: safeUrl(url) });
  };
  contents.on('will-navigate', (event: ElectronEvent<WebContentsWillNavigateEventParams>) =>
    deny('navigation', event.url, event),
  );
  // Fires for every frame; the main frame is already covered by will-navigate.
  contents.on('will-frame-navigate', (event: ElectronEvent<WebContentsWillFrameNavigateEventParams>) => {
    if (!event.isMainFrame) deny('frame navigation', event.url, event);
  });
  contents.on('will-redirect', (event: ElectronEvent<WebContentsWillRedirectEventParams>) =>
    deny('redirect', event.url, event),
  );
  contents.on('will-attach-webview', (event: ElectronEvent, _prefs: WebPreferences, params: { src?: string }) => {
    event.preventDefault();
    log.warn('webview refused', { url: safeUrl(params?.src ?? '') });
  });
  contents.setWindowOpenHandler((details: HandlerDetails) => {
    if (!openExternalSafely(deps.shell, details.url, log, deps.allowlist)) {
      log.warn('new window refused', { url: safeUrl(details.url) });
    }
    return { action: 'deny' };
  });
}

/** A URL for the log: scheme, host and path, without a query or credentials. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 200);
  } catch {
    return url.slice(0, 80);
  }
}
