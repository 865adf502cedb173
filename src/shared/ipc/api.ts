import { channelNames, type ChannelName } from './channels';
import type { ChannelInput, ChannelOutput } from './contract';
import type { Result } from './result';

type GroupOf<C extends string> = C extends `${infer G}.${string}` ? G : never;
type MethodOf<C extends string, G extends string> = C extends `${G}.${infer M}` ? M : never;

type Method<C extends ChannelName> =
  undefined extends ChannelInput<C>
    ? (input?: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>
    : (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>>;

/** What the renderer sees as `window.plainview`: `plainview.health.get()` for `health.get`. */
export type PlainviewApi = {
  [G in GroupOf<ChannelName>]: {
    [M in MethodOf<ChannelName, G>]: Method<`${G}.${M}` & ChannelName>;
  };
};

export type Invoke = (channel: ChannelName, input: unknown) => Promise<unknown>;

/**
 * Builds one method per channel on top of a single invoke function. Used by the preload
 * (over ipcRenderer.invoke) and by tests and the browser harness (over other transports),
 * so every caller gets exactly the same surface.
 */
export function createApi(invoke: Invoke): PlainviewApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const channel of channelNames) {
    const [group, method] = channel.split('.') as [string, string];
    api[group] ??= {};
    api[group][method] = (input?: unknown) => invoke(channel, input);
  }
  return api as unknown as PlainviewApi;
}
