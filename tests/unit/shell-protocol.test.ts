import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_SCHEME_PRIVILEGES,
  CONTENT_SECURITY_POLICY,
  installAppProtocol,
  resolveAppFile,
} from '../../src/main/shell/protocol';
import { FakeProtocol } from '../helpers/fake-electron';

const root = path.resolve(__dirname, '../..');

/** The policy a page's meta tag declares. */
function metaCsp(html: string): string | null {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  return m ? m[1]! : null;
}

function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name!, values.join(' ')];
      }),
  );
}

describe('the Content-Security-Policy', () => {
  it('is strict: scripts and connections only from the app, no plugins, frames, forms or base', () => {
    const d = directives(CONTENT_SECURITY_POLICY);
    expect(d.get('script-src')).toBe("'self'");
    expect(d.get('default-src')).toBe("'self'");
    expect(d.get('connect-src')).toBe("'self'");
    expect(d.get('object-src')).toBe("'none'");
    expect(d.get('frame-src')).toBe("'none'");
    expect(d.get('base-uri')).toBe("'none'");
    expect(d.get('form-action')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|ws:|http:|https:|\*/);
  });

  it('the renderer’s index.html declares the same policy', () => {
    const html = fs.readFileSync(path.join(root, 'src/renderer/index.html'), 'utf8');
    expect(metaCsp(html)).toBe(CONTENT_SECURITY_POLICY);
  });

  // `npm test` builds before vitest; the built page must keep the tag vite copied. (Skipped
  // only when there is no build, or it is older than the page's source.)
  const built = path.join(root, 'out/renderer/index.html');
  const fresh =
    fs.existsSync(built) &&
    fs.statSync(built).mtimeMs >= fs.statSync(path.join(root, 'src/renderer/index.html')).mtimeMs;
  it.runIf(fresh)('the built index.html declares the same policy', () => {
    expect(metaCsp(fs.readFileSync(built, 'utf8'))).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('the app:// protocol', () => {
  let dir: string;
  let rendererDir: string;
  const protocol = new FakeProtocol();

  beforeAll(() => {
    // out/ with a renderer and, next to it, main and preload bundles that must stay unreachable.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-protocol-'));
    rendererDir = path.join(dir, 'out', 'renderer');
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'out', 'main'), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Plainview</title>');
    fs.writeFileSync(path.join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
    fs.writeFileSync(path.join(rendererDir, 'assets', 'index-abc.css'), 'body{}');
    fs.writeFileSync(path.join(dir, 'out', 'main', 'index.js'), 'SECRET MAIN CODE');
    fs.writeFileSync(path.join(dir, 'out', 'renderer-evil.js'), 'SIBLING');
    installAppProtocol(protocol, rendererDir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is registered as a standard, secure scheme that cannot bypass the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      scheme: 'app',
      privileges: { standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false },
    });
    expect(protocol.handlers.has('app')).toBe(true);
  });

  it('serves the page and its assets with their types and the CSP as a header', async () => {
    const page = await protocol.fetch('app://plainview/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Plainview</title>');

    const root = await protocol.fetch('app://plainview/');
    expect(root.status).toBe(200);
    const js = await protocol.fetch('app://plainview/assets/index-abc.js');
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toBe('console.log(1)');
    const css = await protocol.fetch('app://plainview/assets/index-abc.css?v=1#x');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it.each([
    'app://plainview/../../main/index.js',
    'app://plainview/../main/index.js',
    'app://plainview/%2e%2e/main/index.js',
    'app://plainview/..%2fmain%2findex.js',
    'app://plainview/assets/..%2f..%2fmain%2findex.js',
    'app://plainview/..%5cmain%5cindex.js',
    'app://plainview/%2e%2e%2f%2e%2e%2fout%2fmain%2findex.js',
    'app://plainview/..%2f..%2frenderer-evil.js',
    'app://plainview/%2Fetc%2Fpasswd',
    'app://plainview/index.html%00.js',
    'app://plainview/%E0%A4%A',
    'app://other/index.html',
    'app://plainview/missing.js',
    'app://plainview/assets',
  ])('refuses %s with 404', async (url) => {
    const res = await protocol.fetch(url);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).not.toContain('SECRET');
    expect(body).not.toContain('SIBLING');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers only reads', async () => {
    expect((await protocol.fetch('app://plainview/index.html', 'POST')).status).toBe(405);
    const head = await protocol.fetch('app://plainview/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('resolves only files inside the renderer folder', () => {
    expect(resolveAppFile(rendererDir, 'app://plainview/assets/index-abc.js')).toBe(
      path.join(rendererDir, 'assets', 'index-abc.js'),
    );
    expect(resolveAppFile(rendererDir, 'app://plainview/..%2fmain/index.js')).toBeNull();
    expect(resolveAppFile(rendererDir, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppFile(rendererDir, 'not a url')).toBeNull();
  });
});
