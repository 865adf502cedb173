import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { channelNames } from '../../shared/ipc/channels';
import type { IpcRouter } from './router';

/** What of an invoke event the sender check reads (a fake in tests). */
export interface SenderEvent {
  sender: unknown;
  senderFrame: Pick<NonNullable<IpcMainInvokeEvent['senderFrame']>, 'url' | 'parent'> | null;
}

/**
 * The URL the router checks for a call, or a description of why the sender is not one we
 * trust (which the router's trust function rejects, so the call is refused as
 * `forbidden_sender`, counted and logged). A call is accepted only from the top frame of
 * our own window: never a subframe, never a frame that has gone, never another webContents.
 */
export function senderUrlOf(event: SenderEvent, isOurContents: (sender: SenderEvent['sender']) => boolean): string {
  const frame = event.senderFrame;
  if (!frame) return 'a frame that has gone';
  if (!isOurContents(event.sender)) return `another webContents (${frame.url})`;
  // The top frame has no parent; an iframe (there are none: frame-src 'none') would have one.
  if (frame.parent !== null) return `a subframe (${frame.url})`;
  return frame.url;
}

/**
 * Registers one Electron handler per contract channel. The sender's frame must be the
 * main frame of our window, and its URL is what the router checks; a call from a frame we
 * did not load is refused. Inputs are validated by the router against the contract.
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  router: IpcRouter,
  isOurContents: (sender: SenderEvent['sender']) => boolean = () => true,
): void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event, input: unknown) =>
      router.dispatch(channel, input, senderUrlOf(event, isOurContents)),
    );
  }
}
