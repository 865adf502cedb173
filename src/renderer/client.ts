import type { PlainviewApi, PushHandler } from '../shared/ipc/api';
import { channelNames, type ChannelName } from '../shared/ipc/channels';
import type { ChannelInput, ChannelOutput } from '../shared/ipc/contract';
import type { Refusal, Result } from '../shared/refusal';

/**
 * The console's one door to the station. Every call answers its value or throws one
 * `StationRefusal`: the station's refusal as it was given (code, words, when to retry), or
 * `unavailable` when the call never got an answer (the bridge is gone). Views show both the
 * same way (`refusalText`) and decide by code, never by the words.
 */
export class StationRefusal extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
    this.name = 'StationRefusal';
  }

  get code(): Refusal['code'] {
    return this.refusal.code;
  }
}

/** Any error from a call as a refusal (a thrown bridge error is `unavailable`). */
export function asRefusal(err: unknown): Refusal {
  if (err instanceof StationRefusal) return err.refusal;
  return { code: 'unavailable', message: err instanceof Error ? err.message : String(err) };
}

/** Codes that say the call itself failed (never reached a rule, or the station could not answer). */
const CALL_FAILURES: ReadonlySet<Refusal['code']> = new Set([
  'unknown_channel',
  'forbidden_sender',
  'invalid_input',
  'internal',
  'unavailable',
]);

/** The refusal when one of the station's rules said no; null when the call itself failed. */
export function ruleRefusal(err: unknown): Refusal | null {
  return err instanceof StationRefusal && !CALL_FAILURES.has(err.code) ? err.refusal : null;
}

/** The words to show for a failed call: the station's message, and when to retry if it said. */
export function refusalText(err: unknown): string {
  const r = asRefusal(err);
  if (r.retryAfterSec === undefined || /retry in/i.test(r.message)) return r.message;
  return `${r.message} Retry in ${Math.max(1, Math.ceil(r.retryAfterSec))} s.`;
}

/** The answer's value, or its refusal thrown. */
export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new StationRefusal(r.refusal);
  return r.value;
}

type GroupOf<C extends string> = C extends `${infer G}.${string}` ? G : never;
type MethodOf<C extends string, G extends string> = C extends `${G}.${infer M}` ? M : never;
type Method<C extends ChannelName> =
  undefined extends ChannelInput<C>
    ? (input?: ChannelInput<C>) => Promise<ChannelOutput<C>>
    : (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;

/** `station.alarms.shelve({...})` answers the alarm, or throws a `StationRefusal`. */
export type StationClient = {
  [G in GroupOf<ChannelName>]: { [M in MethodOf<ChannelName, G>]: Method<`${G}.${M}` & ChannelName> };
} & {
  /** Coalesced changes from main; returns the function that unsubscribes. */
  push: { subscribe(handler: PushHandler): () => void };
};

/** A client over a bridge, looked up at each call (the preload's, or a test's). */
export function createClient(bridge: () => PlainviewApi): StationClient {
  const client: Record<string, Record<string, unknown>> = {};
  for (const channel of channelNames) {
    const [group, method] = channel.split('.') as [string, string];
    client[group] ??= {};
    client[group][method] = async (input?: unknown) => {
      const api = bridge() as unknown as Record<string, Record<string, (i?: unknown) => Promise<Result<unknown>>>>;
      return unwrap(await api[group]![method]!(input));
    };
  }
  client.push = { subscribe: (handler: PushHandler) => bridge().push.subscribe(handler) };
  return client as unknown as StationClient;
}

/** The console's client: the preload's bridge, `window.plainview`. */
export const station: StationClient = createClient(() => window.plainview);
