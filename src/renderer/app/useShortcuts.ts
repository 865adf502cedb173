import { useEffect } from 'react';
import { handleShortcut, initialShortcutState, type ShortcutState } from '../model/shortcuts';
import { useUi } from '../stores/ui';
import { navigate } from './router';

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement)
    return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
  return false;
}

/** Feeds window keydowns to the shortcut machine and performs its actions. */
export function useShortcuts(): void {
  useEffect(() => {
    let state: ShortcutState = initialShortcutState;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat) return;
      const editable = isEditable(e.target);
      const r = handleShortcut(
        state,
        { key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, editable },
        Date.now(),
      );
      state = r.state;
      if (!r.action) return;
      const ui = useUi.getState();
      switch (r.action) {
        case 'close':
          if (ui.helpOpen) ui.setHelpOpen(false);
          else if (editable && e.target instanceof HTMLElement) e.target.blur();
          else return;
          break;
        case 'toggle-help':
          ui.setHelpOpen(!ui.helpOpen);
          break;
        case 'go-overview':
          ui.setHelpOpen(false);
          navigate({ view: 'overview' });
          break;
        case 'go-valves':
          ui.setHelpOpen(false);
          navigate({ view: 'valves' });
          break;
        case 'go-alarms':
          ui.setHelpOpen(false);
          navigate({ view: 'alarms' });
          break;
        case 'go-limits':
          ui.setHelpOpen(false);
          navigate({ view: 'limits' });
          break;
        case 'go-commands':
          ui.setHelpOpen(false);
          navigate({ view: 'commands' });
          break;
        case 'go-audit':
          ui.setHelpOpen(false);
          navigate({ view: 'audit' });
          break;
        case 'go-system':
          ui.setHelpOpen(false);
          navigate({ view: 'system' });
          break;
        case 'go-incidents':
          ui.setHelpOpen(false);
          navigate({ view: 'incidents' });
          break;
        case 'go-handover':
          ui.setHelpOpen(false);
          navigate({ view: 'handover' });
          break;
        case 'focus-search':
          ui.setHelpOpen(false);
          navigate({ view: 'valves' });
          ui.requestSearchFocus();
          break;
        case 'toggle-layout':
          ui.toggleLayout();
          break;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
