import type { InputEvent, MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_EVERY_MS, relayOperatorInput } from '../../src/main/shell/activity';
import { DEVELOPER_ROLES, productionMenu } from '../../src/main/shell/menu';
import { mainWindowOptions } from '../../src/main/shell/window';
import { FakeWebContents } from '../helpers/fake-electron';
import { ask, testStation } from '../helpers/station';

/*
 * Someone at an installed console must not be able to open DevTools (to fake the display,
 * or to script the page) nor keep the idle lock from engaging.
 */

const input = (type: InputEvent['type']) => ({ type }) as InputEvent;

/** Every role and label in a menu template, submenus included. */
function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])]);
}

describe('an installed console has no developer doors', () => {
  it('DevTools only in a development build', () => {
    expect(mainWindowOptions('/p').webPreferences!.devTools).toBe(false);
    expect(mainWindowOptions('/p', 'normal', {}, true).webPreferences!.devTools).toBe(true);
  });

  it.each(['win32', 'linux', 'darwin'] as const)('%s: the menu has no reload or developer tools', (platform) => {
    for (const mode of ['normal', 'fullscreen', 'kiosk'] as const) {
      const r = roles(productionMenu(platform, mode));
      for (const role of DEVELOPER_ROLES) expect(r).not.toContain(role);
      expect(r).toContain('editMenu');
      // A kiosk cannot be left through the menu.
      expect(r.includes('togglefullscreen')).toBe(mode !== 'kiosk');
    }
  });
});

describe('the idle lock trusts the OS input the shell sees', () => {
  it('a key or a click in the focused window counts, at most every 10 s; moves and a background window do not', () => {
    const contents = new FakeWebContents();
    let t = 0;
    let focused = true;
    let touches = 0;
    const stop = relayOperatorInput(contents as never, {
      isFocused: () => focused,
      touch: () => touches++,
      now: () => t,
    });
    contents.emit('input-event', {}, input('mouseMove'));
    expect(touches).toBe(0);
    contents.emit('input-event', {}, input('keyDown'));
    expect(touches).toBe(1);
    t += ACTIVITY_EVERY_MS - 1;
    contents.emit('input-event', {}, input('mouseDown'));
    expect(touches).toBe(1);
    t += 1;
    focused = false;
    contents.emit('input-event', {}, input('mouseDown'));
    expect(touches).toBe(1);
    focused = true;
    contents.emit('input-event', {}, input('mouseDown'));
    expect(touches).toBe(2);
    stop();
    t += ACTIVITY_EVERY_MS;
    contents.emit('input-event', {}, input('keyDown'));
    expect(touches).toBe(2);
  });

  it("with the shell as the source, the renderer's activity calls do not postpone the lock", async () => {
    for (const operatorInput of ['shell', 'renderer'] as const) {
      let now = Date.parse('2026-12-04T10:00:00.000Z');
      const t = testStation({ PLAINVIEW_OPERATOR_SIGN_ON: 'true', PLAINVIEW_IDLE_LOCK_MIN: '15' }, undefined, {
        operatorInput,
        now: () => new Date(now),
      });
      const running = await t.station.start();
      try {
        running.operators.add('olga', 'Olga', 'operator', '432109');
        expect(ask(t, 'operator.signOn', { username: 'olga', secret: '432109' }).ok).toBe(true);
        const lockAt = () => Date.parse(running.sessions.session().idleLockAt!);
        const before = lockAt();
        now += 60_000;
        expect(ask(t, 'operator.activity').ok).toBe(true);
        expect(lockAt() === before).toBe(operatorInput === 'shell');
      } finally {
        await t.station.stop();
      }
    }
  });
});
