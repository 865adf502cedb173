import { EventEmitter } from 'node:events';
import type {
  BrowserWindowConstructorOptions,
  CrashReporterStartOptions,
  CustomScheme,
  HandlerDetails,
  NotificationConstructorOptions,
  Rectangle,
  Session,
  WindowOpenHandlerResponse,
} from 'electron';
import { createLogger, memorySink } from '../../src/main/log';

/*
 * A fake `electron` for the shell's tests: no Electron binary exists on these machines.
 * Small objects that record what the shell asked of them and let a test emit the events
 * Electron would (a navigation, a crash, a notification click). Their method signatures
 * follow electron.d.ts where the shell modules type them with `Pick<…>`, so a fake that
 * drifts from the real API fails the typecheck.
 */

/** A logger whose lines a test can read. */
export function testLogger() {
  const sink = memorySink();
  return { log: createLogger({ level: 'debug', json: true, sinks: [sink] }), lines: sink.lines };
}

/** An Electron-style event: `preventDefault()` and the event's own fields. */
export function fakeEvent<T extends object>(fields: T = {} as T) {
  const event = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: FakeFrame = { url: 'app://plainview/index.html', parent: null };
  windowOpenHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;
  destroyed = false;
  reloads = 0;
  crashes = 0;
  sent: { channel: string; payload: unknown }[] = [];

  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler;
  }
  reload(): void {
    this.reloads++;
  }
  forcefullyCrashRenderer(): void {
    this.crashes++;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }

  /** A frame inside the main frame (an iframe). */
  subframe(url: string): FakeFrame {
    return { url, parent: this.mainFrame };
  }

  /** Emits a navigation event as Electron 42 does (details first); true if it was prevented. */
  navigate(kind: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string, isMainFrame = true): boolean {
    const event = fakeEvent({ url, isMainFrame, isSameDocument: false });
    this.emit(kind, event, url);
    return event.defaultPrevented;
  }

  /** `window.open(url)` in the page: what the handler answers. */
  open(url: string): WindowOpenHandlerResponse {
    if (!this.windowOpenHandler) throw new Error('no window open handler');
    return this.windowOpenHandler({
      url,
      frameName: '',
      features: '',
      disposition: 'new-window',
      referrer: { url: '', policy: 'no-referrer' },
    } as HandlerDetails);
  }

  /** A `<webview>` about to attach; true if it was prevented. */
  attachWebview(src: string): boolean {
    const event = fakeEvent();
    this.emit('will-attach-webview', event, {}, { src });
    return event.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  bounds: Rectangle;
  maximized = false;
  minimized = false;
  visible = false;
  destroyed = false;
  calls: string[] = [];

  constructor(readonly options: BrowserWindowConstructorOptions = {}) {
    super();
    this.bounds = {
      x: options.x ?? 0,
      y: options.y ?? 0,
      width: options.width ?? 800,
      height: options.height ?? 600,
    };
  }
  getNormalBounds(): Rectangle {
    return { ...this.bounds };
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  restore(): void {
    this.calls.push('restore');
    this.minimized = false;
  }
  show(): void {
    this.calls.push('show');
    this.visible = true;
  }
  focus(): void {
    this.calls.push('focus');
  }
  moveTop(): void {
    this.calls.push('moveTop');
  }
  /** The window closes: `close`, then destroyed, then `closed`. */
  close(): void {
    this.emit('close', fakeEvent());
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0];
type DeviceHandler = Parameters<Session['setDevicePermissionHandler']>[0];

export class FakeSession {
  request: RequestHandler = null;
  check: CheckHandler = null;
  device: DeviceHandler = null;

  setPermissionRequestHandler(handler: RequestHandler): void {
    this.request = handler;
  }
  setPermissionCheckHandler(handler: CheckHandler): void {
    this.check = handler;
  }
  setDevicePermissionHandler(handler: DeviceHandler): void {
    this.device = handler;
  }

  /** What the request handler answers for a permission the page asks for. */
  ask(permission: Parameters<NonNullable<RequestHandler>>[1]): Promise<boolean> {
    return new Promise((resolve) =>
      this.request!(new FakeWebContents() as never, permission, resolve, {
        requestingUrl: 'app://plainview/index.html',
        isMainFrame: true,
      } as never),
    );
  }
}

export class FakeProtocol {
  privileged: CustomScheme[] = [];
  handlers = new Map<string, (request: Request) => Response | Promise<Response>>();

  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    this.privileged.push(...schemes);
  }
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler);
  }
  /** A request the page makes (Request keeps the URL as written, as Chromium passes it). */
  fetch(url: string, method = 'GET'): Promise<Response> {
    const scheme = url.slice(0, url.indexOf(':'));
    const handler = this.handlers.get(scheme);
    if (!handler) throw new Error(`no handler for ${scheme}:`);
    return Promise.resolve(handler({ url, method } as Request));
  }
}

export class FakeShell {
  opened: string[] = [];
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static supported = true;
  shown = false;
  closed = false;

  constructor(readonly options: NotificationConstructorOptions) {
    super();
    FakeNotification.instances.push(this);
  }
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  static reset(): void {
    FakeNotification.instances = [];
    FakeNotification.supported = true;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.emit('close', fakeEvent());
  }
  click(): void {
    this.emit('click', fakeEvent());
  }
}

export class FakePowerSaveBlocker {
  private next = 1;
  readonly started = new Map<number, string>();
  readonly stopped: number[] = [];

  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number {
    const id = this.next++;
    this.started.set(id, type);
    return id;
  }
  stop(id: number): boolean {
    this.stopped.push(id);
    return this.started.delete(id);
  }
  isStarted(id: number): boolean {
    return this.started.has(id);
  }
}

export class FakeCrashReporter {
  options: CrashReporterStartOptions | null = null;
  start(options: CrashReporterStartOptions): void {
    this.options = options;
  }
}

/** `ipcMain`: handlers by channel; `invoke` calls one as a renderer would. */
export class FakeIpcMain {
  handlers = new Map<string, (event: never, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: never, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  invoke(channel: string, event: { sender: unknown; senderFrame: FakeFrame | null }, input?: unknown): unknown {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event as never, input);
  }
}

/** Manual timers: `advance(ms)` runs what is due, in order. */
export class FakeTimers {
  now = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimer = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimer = (timer: unknown): void => {
    this.timers.delete(timer as number);
  };
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
  get pending(): number {
    return this.timers.size;
  }
}
