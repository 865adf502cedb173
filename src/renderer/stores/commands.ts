import { create } from 'zustand';
import type { ActuationCommand } from '../../shared/actuation';
import { mergeCommand } from './actuation';
import { compareNatural } from './merge';

/**
 * This station's valve commands as the console knows them: loaded lists (commands.list) and
 * pushed changes, merged by id so that an older copy never replaces a newer one.
 */
export type CommandRecord = Readonly<Record<string, ActuationCommand>>;

/** Merges commands in; the same record back when nothing changed (subscribers stay asleep). */
export function upsertCommands(byId: CommandRecord, commands: readonly ActuationCommand[]): CommandRecord {
  let next: Record<string, ActuationCommand> | null = null;
  for (const c of commands) {
    const prev = (next ?? byId)[c.id];
    const merged = mergeCommand(prev, c);
    if (merged === prev) continue;
    next ??= { ...byId };
    next[c.id] = merged;
  }
  return next ?? byId;
}

/** Newest first (by issue time, then id), for one valve or all, at most `limit`. */
export function listCommands(byId: CommandRecord, valveId?: string, limit = 100): ActuationCommand[] {
  const all = Object.values(byId).filter((c) => valveId === undefined || c.valveId === valveId);
  all.sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : a.issuedAt > b.issuedAt ? -1 : compareNatural(a.id, b.id)));
  return all.slice(0, limit);
}

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
