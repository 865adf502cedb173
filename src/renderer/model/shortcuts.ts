/**
 * Keyboard shortcuts as a pure state machine: `g` then a letter within a moment goes to a
 * view; single keys do the rest. The frame feeds it keydown events and performs the action.
 */
export type ShortcutAction =
  | 'toggle-help'
  | 'close'
  | 'go-overview'
  | 'go-valves'
  | 'go-alarms'
  | 'go-limits'
  | 'go-commands'
  | 'go-audit'
  | 'go-system'
  | 'go-incidents'
  | 'go-handover'
  | 'focus-search'
  | 'toggle-layout';

export interface ShortcutState {
  /** A `g` pressed at this time (ms), waiting for its second key. */
  pendingG: number | null;
}

export const initialShortcutState: ShortcutState = { pendingG: null };

/** How long after `g` the second key counts. */
export const SEQUENCE_MS = 1500;

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The key was pressed in a text field or list (only Escape counts there). */
  editable?: boolean;
}

/** The shortcuts for the help overlay, in the order shown. */
export const SHORTCUTS: readonly { keys: string[]; action: string }[] = [
  { keys: ['g', 'o'], action: 'Go to the overview' },
  { keys: ['g', 'v'], action: 'Go to the valve table' },
  { keys: ['g', 'l'], action: 'Go to the alarms' },
  { keys: ['g', 'd'], action: 'Go to the alarm definitions' },
  { keys: ['g', 'c'], action: 'Go to the command history' },
  { keys: ['g', 'a'], action: 'Go to the audit log' },
  { keys: ['g', 's'], action: 'Go to the system view' },
  { keys: ['g', 'i'], action: 'Go to the incidents' },
  { keys: ['g', 'h'], action: 'Go to the shift handover' },
  { keys: ['/'], action: 'Search valves' },
  { keys: ['l'], action: 'Switch between compact and large layout' },
  { keys: ['?'], action: 'Show or hide this help' },
  { keys: ['Esc'], action: 'Close the help or a dialog, leave a search field, cancel a valve selection' },
  { keys: ['↑', '↓'], action: 'Move between rows in the valve table (PgUp, PgDn, Home, End too)' },
  { keys: ['Enter'], action: 'Open the focused valve' },
];

export function handleShortcut(
  state: ShortcutState,
  input: KeyInput,
  now: number,
): { state: ShortcutState; action: ShortcutAction | null } {
  if (input.key === 'Escape') return { state: initialShortcutState, action: 'close' };
  if (input.ctrlKey || input.metaKey || input.altKey || input.editable)
    return { state: initialShortcutState, action: null };
  const pending = state.pendingG !== null && now - state.pendingG <= SEQUENCE_MS;
  if (pending) {
    const go: Record<string, ShortcutAction> = {
      o: 'go-overview',
      v: 'go-valves',
      l: 'go-alarms',
      d: 'go-limits',
      c: 'go-commands',
      a: 'go-audit',
      s: 'go-system',
      i: 'go-incidents',
      h: 'go-handover',
    };
    const action = go[input.key.toLowerCase()] ?? null;
    if (action) return { state: initialShortcutState, action };
  }
  switch (input.key) {
    case 'g':
      return { state: { pendingG: now }, action: null };
    case '?':
      return { state: initialShortcutState, action: 'toggle-help' };
    case '/':
      return { state: initialShortcutState, action: 'focus-search' };
    case 'l':
      return { state: initialShortcutState, action: 'toggle-layout' };
    default:
      return { state: initialShortcutState, action: null };
  }
}
