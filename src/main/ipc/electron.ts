import type { IpcMain } from 'electron';
import { channelNames } from '../../shared/ipc/channels';
import type { IpcRouter } from './router';

/**
 * Registers one Electron handler per contract channel. The sender's frame URL is what the
 * router checks; a call from a frame we did not load is refused.
 */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, router: IpcRouter): void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event, input: unknown) => router.dispatch(channel, input, event.senderFrame?.url ?? ''));
  }
}
