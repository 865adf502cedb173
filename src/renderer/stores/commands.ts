import { create } from 'zustand';
import type { ActuationCommand } from '../../shared/actuation';
import { upsertCommands, type CommandRecord } from '../model/commands';

/**
 * This station's valve commands as the console knows them: loaded lists (commands.list) and
 * pushed changes, merged by id so that an older copy never replaces a newer one.
 */
interface CommandsStore {
  byId: CommandRecord;
  apply(commands: readonly ActuationCommand[]): void;
}

export const useCommands = create<CommandsStore>((set, get) => ({
  byId: {},
  apply(commands) {
    if (!commands.length) return;
    const byId = upsertCommands(get().byId, commands);
    if (byId !== get().byId) set({ byId });
  },
}));

/** One command, re-rendering only when it changes. */
export const useCommand = (id: string | null | undefined): ActuationCommand | undefined =>
  useCommands((s) => (id ? s.byId[id] : undefined));
