import type { ConsoleBatch } from '../console';
import { channelNames, type ChannelName } from './channels';
import type { ChannelInput, ChannelOutput } from './contract';
import type { Result } from '../refusal';

type GroupOf<C extends string> = C extends `${infer G}.${string}` ? G : never;
type MethodOf<C extends string, G extends string> = C extends `${G}.${infer M}` ? M : never;

type Method<C extends ChannelName> =
  undefined extends ChannelInput<C>
    ? (input?: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>
    : (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;

export type PushHandler = (batch: ConsoleBatch) => void;

/** What the renderer sees as `window.plainview`: `plainview.health.get()` for `health.get`. */
export type PlainviewApi = {
  [G in GroupOf<ChannelName>]: {
    [M in MethodOf<ChannelName, G>]: Method<`${G}.${M}` & ChannelName>;
  };
} & {
  /** Coalesced field changes from main; returns the function that unsubscribes. */
  push: { subscribe(handler: PushHandler): () => void };
};

export type Invoke = (channel: ChannelName, input: unknown) => Promise<unknown>;
/** Delivers pushed batches to `handler` until the returned function is called. */
export type Listen = (handler: PushHandler) => () => void;

/**
 * Builds one method per channel on top of a single invoke function, plus the push
 * subscription. Used by the preload (over ipcRenderer) and by the browser harness (over a
 * WebSocket), so every caller gets exactly the same surface.
 */
export function createApi(invoke: Invoke, listen: Listen): PlainviewApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of channelNames) {
    const [group, method] = channel.split('.') as [string, string];
    api[group] ??= {};
    api[group][method] = (input?: unknown) => invoke(channel, input);
  }
  api.push = { subscribe: (handler: PushHandler) => listen(handler) };
  return api as unknown as PlainviewApi;
}
