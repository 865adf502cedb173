/**
 * The browser side of the development harness: `window.plainview` over a WebSocket instead
 * of Electron's IPC, built from the same contract (createApi), so the console cannot tell
 * the difference. Loaded only by the harness; never part of the packaged app.
 */
import { createApi, type PushHandler } from '../src/shared/ipc/api';

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

const token = new URLSearchParams(location.search).get('token') ?? '';
const socket = new WebSocket(`ws://${location.host}/__harness/ws?token=${encodeURIComponent(token)}`);
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => resolve());
  socket.addEventListener('error', () => reject(new Error('the harness connection failed')));
});
const pending = new Map<number, Pending>();
const handlers = new Set<PushHandler>();
let nextId = 1;

socket.addEventListener('message', (event) => {
  const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; push?: Parameters<PushHandler>[0] };
  if (msg.push) for (const h of handlers) h(msg.push);
  else if (msg.id !== undefined) {
    pending.get(msg.id)?.resolve(msg.result);
    pending.delete(msg.id);
  }
});
socket.addEventListener('close', () => {
  for (const p of pending.values()) p.reject(new Error('the harness connection closed'));
  pending.clear();
});

(window as unknown as { plainview: unknown }).plainview = createApi(
  async (channel, input) => {
    await opened;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, channel, input }));
    });
  },
  (handler) => {
    handlers.add(handler);
    return () => void handlers.delete(handler);
  },
);
