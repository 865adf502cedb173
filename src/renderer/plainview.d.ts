import type { PlainviewApi } from '../shared/ipc/api';

declare global {
  interface Window {
    /** The preload's bridge: one method per contract channel. */
    plainview: PlainviewApi;
  }
}
