import { z } from 'zod';
import { ValveCommandMessage } from '../../shared/protocol';

export type ParsedCommand =
  | { ok: true; command: ValveCommandMessage }
  /** `id` is set when the payload at least names a command, so the field can answer it. */
  | { ok: false; id: string | null; error: string };

const CommandId = z.looseObject({ id: z.uuid() });

/** JSON and schema check of a command as it arrives; the first problem is named. */
export function parseCommand(payload: Buffer, valveInTopic: string): ParsedCommand {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, id: null, error: 'not JSON' };
  }
  const id = CommandId.safeParse(json);
  const parsed = ValveCommandMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, id: id.success ? id.data.id : null, error: `${issue?.path.join('.')}: ${issue?.message}` };
  }
  if (parsed.data.valve !== valveInTopic) {
    return { ok: false, id: parsed.data.id, error: `valve ${parsed.data.valve} does not match the topic` };
  }
  return { ok: true, command: parsed.data };
}

/**
 * The ids of the last commands seen. QoS 1 means at least once: a command delivered twice
 * (a resend after a lost PUBACK) must move the valve once.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time an id is offered, false for a repeat. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
