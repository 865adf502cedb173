import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from '../shared/ipc/api';

// The bridge and nothing else: one method per contract channel, never ipcRenderer itself.
contextBridge.exposeInMainWorld(
  'plainview',
  createApi((channel, input) => ipcRenderer.invoke(channel, input)),
);
