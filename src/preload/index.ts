import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from '../shared/ipc/api';
import { PUSH_CHANNEL } from '../shared/ipc/channels';
import type { ConsoleBatch } from '../shared/console';

// The bridge and nothing else: one method per contract channel and the push subscription,
// never ipcRenderer itself or an Electron event object.
contextBridge.exposeInMainWorld(
  'plainview',
  createApi(
    (channel, input) => ipcRenderer.invoke(channel, input),
    (handler) => {
      const listener = (_event: unknown, batch: ConsoleBatch) => handler(batch);
      ipcRenderer.on(PUSH_CHANNEL, listener);
      return () => void ipcRenderer.off(PUSH_CHANNEL, listener);
    },
  ),
);
