import { create } from 'zustand';
import type { OperatorSession } from '../../shared/operators';

/**
 * Who operates this console, as the station says (operator.session, then pushed changes:
 * sign-on, sign-off, idle lock). `lockedByStation` is set when the station signed the
 * operator off without this console asking (the idle lock), so the frame can say why.
 */
interface SessionStore {
  session: OperatorSession | null;
  lockedByStation: boolean;
  /** The console itself is signing off: the next signed-off session is not a lock. */
  signingOff: boolean;
  setSession(session: OperatorSession, from: 'load' | 'push' | 'call'): void;
  setSigningOff(on: boolean): void;
}

export const useSession = create<SessionStore>((set, get) => ({
  session: null,
  lockedByStation: false,
  signingOff: false,
  setSession(session, from) {
    const prev = get().session;
    const lockedByStation = session.operator
      ? false
      : prev?.operator
        ? from === 'push' && !get().signingOff
        : get().lockedByStation;
    if (JSON.stringify(prev) === JSON.stringify(session) && lockedByStation === get().lockedByStation) return;
    set({ session, lockedByStation });
  },
  setSigningOff: (signingOff) => set({ signingOff }),
}));
