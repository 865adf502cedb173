import fs from 'node:fs';
import path from 'node:path';
import type { EventEmitter } from 'node:events';
import type { BrowserWindow, Rectangle } from 'electron';
import { DATA_FILES, makePrivateDir, writePrivateFile } from '../config/data-dir';
import type { Logger } from '../log';
import type { WindowPlacement } from './window';

/** A display as the placement logic needs it (Electron's `Display` has both). */
export interface DisplayArea {
  bounds: Rectangle;
  workArea: Rectangle;
}

export interface SavedPlacement {
  bounds: Rectangle;
  maximized: boolean;
  savedAt: string;
}

/** `<dataDir>/window-state.json`: one placement per monitor layout. */
export interface WindowStateFile {
  version: 1;
  layouts: Record<string, SavedPlacement>;
}

export const WINDOW_STATE_FILE = DATA_FILES.windowState;
const MAX_LAYOUTS = 10;
const TITLE_BAR_PX = 40;

/**
 * The monitor layout: every display's position and size, in a stable order. Docking a
 * laptop or adding a monitor gives another key, so each layout keeps its own placement.
 */
export function layoutKey(displays: readonly DisplayArea[]): string {
  return displays
    .map((d) => `${d.bounds.x},${d.bounds.y},${d.bounds.width}x${d.bounds.height}`)
    .sort()
    .join(';');
}

function intersection(a: Rectangle, b: Rectangle): Rectangle | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

const isRect = (r: unknown): r is Rectangle =>
  !!r &&
  typeof r === 'object' &&
  ['x', 'y', 'width', 'height'].every((k) => Number.isFinite((r as Record<string, unknown>)[k])) &&
  (r as Rectangle).width > 0 &&
  (r as Rectangle).height > 0;

/**
 * Whether a saved window rectangle can still be seen and grabbed on the current
 * displays: at least half of it lies on displays' work areas, and its title bar overlaps
 * one work area by at least 100 px (or its whole width), so it can be dragged.
 */
export function isVisible(bounds: Rectangle, displays: readonly DisplayArea[]): boolean {
  if (!isRect(bounds)) return false;
  let visible = 0;
  for (const d of displays) {
    const i = intersection(bounds, d.workArea);
    if (i) visible += i.width * i.height;
  }
  if (visible < (bounds.width * bounds.height) / 2) return false;
  const titleBar = { ...bounds, height: Math.min(TITLE_BAR_PX, bounds.height) };
  return displays.some((d) => {
    const i = intersection(titleBar, d.workArea);
    return !!i && i.width >= Math.min(100, bounds.width);
  });
}

/**
 * Where to open the window: the placement saved for the current monitor layout if it is
 * still visible, else the default placement (`{}`: default size, centred).
 */
export function restorePlacement(state: WindowStateFile, displays: readonly DisplayArea[]): WindowPlacement {
  const saved = state.layouts[layoutKey(displays)];
  if (!saved || !isVisible(saved.bounds, displays)) return {};
  return { bounds: { ...saved.bounds }, maximized: saved.maximized };
}

/** Records a placement for a layout, keeping the ten most recent layouts. */
export function rememberPlacement(
  state: WindowStateFile,
  displays: readonly DisplayArea[],
  placement: SavedPlacement,
): WindowStateFile {
  const layouts = { ...state.layouts, [layoutKey(displays)]: placement };
  const keep = Object.entries(layouts)
    .sort(([, a], [, b]) => b.savedAt.localeCompare(a.savedAt))
    .slice(0, MAX_LAYOUTS);
  return { version: 1, layouts: Object.fromEntries(keep) };
}

const EMPTY: WindowStateFile = { version: 1, layouts: {} };

/** Reads the file; a missing, unreadable or malformed file is an empty state, never an error. */
export function readWindowState(file: string): WindowStateFile {
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<WindowStateFile>;
    if (raw?.version !== 1 || !raw.layouts || typeof raw.layouts !== 'object') return EMPTY;
    const layouts: Record<string, SavedPlacement> = {};
    for (const [key, p] of Object.entries(raw.layouts)) {
      if (p && isRect(p.bounds) && typeof p.maximized === 'boolean' && typeof p.savedAt === 'string') {
        layouts[key] = { bounds: p.bounds, maximized: p.maximized, savedAt: p.savedAt };
      }
    }
    return { version: 1, layouts };
  } catch {
    return EMPTY;
  }
}

/** Writes the file atomically (temporary file, then rename), owner-only like all of the data folder. */
export function writeWindowState(file: string, state: WindowStateFile): void {
  makePrivateDir(path.dirname(file));
  const tmp = `${file}.tmp`;
  writePrivateFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

export type PlacedWindow = Pick<EventEmitter, 'on'> &
  Pick<BrowserWindow, 'getNormalBounds' | 'isMaximized' | 'isDestroyed'>;

export interface KeeperDeps {
  file: string;
  displays: () => readonly DisplayArea[];
  log: Logger;
  debounceMs?: number;
  now?: () => Date;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Saves the window's placement for the current monitor layout: after a move or resize
 * (debounced, 500 ms) and when the window closes. The normal (restored) bounds are saved
 * with the maximized flag, so a maximized window comes back maximized on the same monitor.
 */
export class WindowStateKeeper {
  private timer: unknown = null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(
    private readonly window: PlacedWindow,
    private readonly d: KeeperDeps,
  ) {
    this.setTimer = d.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = d.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
    const later = () => this.schedule();
    for (const event of ['move', 'resize', 'maximize', 'unmaximize']) window.on(event, later);
    window.on('close', () => this.saveNow());
  }

  private schedule(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.saveNow();
    }, this.d.debounceMs ?? 500);
  }

  saveNow(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    if (this.window.isDestroyed()) return;
    try {
      const displays = this.d.displays();
      const placement: SavedPlacement = {
        bounds: this.window.getNormalBounds(),
        maximized: this.window.isMaximized(),
        savedAt: (this.d.now ?? (() => new Date()))().toISOString(),
      };
      writeWindowState(this.d.file, rememberPlacement(readWindowState(this.d.file), displays, placement));
    } catch (err) {
      this.d.log.warn('could not save the window placement', { file: this.d.file, error: err });
    }
  }
}
