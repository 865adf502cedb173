import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isVisible,
  layoutKey,
  readWindowState,
  rememberPlacement,
  restorePlacement,
  WindowStateKeeper,
  type DisplayArea,
  type WindowStateFile,
} from '../../src/main/shell/window-state';
import { FakeBrowserWindow, FakeTimers, testLogger } from '../helpers/fake-electron';

const display = (x: number, y: number, width: number, height: number, taskbar = 40): DisplayArea => ({
  bounds: { x, y, width, height },
  workArea: { x, y, width, height: height - taskbar },
});
const laptop = [display(0, 0, 1920, 1080)];
const docked = [display(0, 0, 1920, 1080), display(1920, 0, 2560, 1440)];

describe('window placement: is the saved rectangle still visible?', () => {
  it('yes when it lies on a display', () => {
    expect(isVisible({ x: 100, y: 100, width: 1400, height: 900 }, laptop)).toBe(true);
    expect(isVisible({ x: 2000, y: 50, width: 1600, height: 1000 }, docked)).toBe(true);
    // Straddling two monitors, mostly visible, title bar on screen.
    expect(isVisible({ x: 1500, y: 0, width: 1000, height: 800 }, docked)).toBe(true);
  });

  it('no when its monitor is gone, it is mostly off screen, or its title bar cannot be reached', () => {
    expect(isVisible({ x: 2000, y: 50, width: 1600, height: 1000 }, laptop)).toBe(false);
    expect(isVisible({ x: 1700, y: 100, width: 1400, height: 900 }, laptop)).toBe(false);
    expect(isVisible({ x: 100, y: -500, width: 1400, height: 900 }, laptop)).toBe(false);
    expect(isVisible({ x: 100, y: 1030, width: 1400, height: 900 }, laptop)).toBe(false);
    expect(isVisible({ x: 100, y: 100, width: 0, height: 900 }, laptop)).toBe(false);
    expect(isVisible({ x: Number.NaN, y: 100, width: 100, height: 900 }, laptop)).toBe(false);
    expect(isVisible({ x: 100, y: 100, width: 1400, height: 900 }, [])).toBe(false);
  });

  it('restores per monitor layout, and only what is visible; else the default placement', () => {
    let state: WindowStateFile = { version: 1, layouts: {} };
    const at = (iso: string) => `2026-11-25T${iso}:00.000Z`;
    state = rememberPlacement(state, docked, {
      bounds: { x: 2200, y: 100, width: 1600, height: 1000 },
      maximized: true,
      savedAt: at('10:00'),
    });
    state = rememberPlacement(state, laptop, {
      bounds: { x: 50, y: 60, width: 1400, height: 900 },
      maximized: false,
      savedAt: at('11:00'),
    });
    expect(layoutKey(docked)).not.toBe(layoutKey(laptop));
    expect(layoutKey([...docked].reverse())).toBe(layoutKey(docked));
    expect(restorePlacement(state, docked)).toEqual({
      bounds: { x: 2200, y: 100, width: 1600, height: 1000 },
      maximized: true,
    });
    expect(restorePlacement(state, laptop)).toEqual({
      bounds: { x: 50, y: 60, width: 1400, height: 900 },
      maximized: false,
    });
    // A layout never seen: default.
    expect(restorePlacement(state, [display(0, 0, 1280, 1024)])).toEqual({});
    // Same layout key but the rectangle no longer visible (edited file): default.
    const broken = rememberPlacement(state, laptop, {
      bounds: { x: 5000, y: 5000, width: 1400, height: 900 },
      maximized: false,
      savedAt: at('12:00'),
    });
    expect(restorePlacement(broken, laptop)).toEqual({});
  });

  it('keeps the ten most recent layouts', () => {
    let state: WindowStateFile = { version: 1, layouts: {} };
    for (let i = 0; i < 12; i++) {
      state = rememberPlacement(state, [display(0, 0, 1000 + i, 800)], {
        bounds: { x: 0, y: 0, width: 900, height: 700 },
        maximized: false,
        savedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      });
    }
    expect(Object.keys(state.layouts)).toHaveLength(10);
    expect(state.layouts[layoutKey([display(0, 0, 1000, 800)])]).toBeUndefined();
    expect(state.layouts[layoutKey([display(0, 0, 1011, 800)])]).toBeDefined();
  });
});

describe('window placement: saving', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-window-'));
    file = path.join(dir, 'window-state.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves bounds and the maximized state after moves (debounced) and on close', () => {
    const win = new FakeBrowserWindow({ x: 10, y: 20, width: 1400, height: 900 });
    const timers = new FakeTimers();
    new WindowStateKeeper(win, {
      file,
      displays: () => docked,
      log: testLogger().log,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
      now: () => new Date('2026-11-25T10:00:00.000Z'),
    });
    for (let x = 0; x < 50; x++) {
      win.bounds = { ...win.bounds, x: 2000 + x };
      win.emit('move');
    }
    expect(fs.existsSync(file)).toBe(false);
    timers.advance(500);
    expect(restorePlacement(readWindowState(file), docked)).toEqual({
      bounds: { x: 2049, y: 20, width: 1400, height: 900 },
      maximized: false,
    });
    win.maximized = true;
    win.emit('maximize');
    win.close();
    expect(timers.pending).toBe(0);
    expect(restorePlacement(readWindowState(file), docked)).toMatchObject({ maximized: true });
    // Another layout keeps its own entry untouched.
    expect(restorePlacement(readWindowState(file), laptop)).toEqual({});
  });

  it('a missing or malformed file is an empty state', () => {
    expect(readWindowState(file)).toEqual({ version: 1, layouts: {} });
    fs.writeFileSync(file, '{not json');
    expect(readWindowState(file)).toEqual({ version: 1, layouts: {} });
    fs.writeFileSync(file, JSON.stringify({ version: 1, layouts: { a: { bounds: { x: 1 }, maximized: 'yes' } } }));
    expect(readWindowState(file)).toEqual({ version: 1, layouts: {} });
  });

  it('a write that fails is logged, not thrown', () => {
    const win = new FakeBrowserWindow();
    const { log, lines } = testLogger();
    fs.writeFileSync(path.join(dir, 'blocker'), '');
    const keeper = new WindowStateKeeper(win, {
      file: path.join(dir, 'blocker', 'window-state.json'),
      displays: () => laptop,
      log,
    });
    expect(() => keeper.saveNow()).not.toThrow();
    expect(lines.some((l) => l.includes('could not save the window placement'))).toBe(true);
  });
});
