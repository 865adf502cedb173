import type { ApiStatus } from '../../shared/system';
import { ApiServer, type ApiOptions } from './server';

/**
 * The loopback API, optional: when it cannot listen (a port in use), the station runs without
 * it and says why in the System view and the log.
 */
export class LoopbackApi {
  private server: ApiServer | null = null;
  private error: string | null = null;

  constructor(
    private readonly enabled: boolean,
    private readonly options: () => ApiOptions,
  ) {}

  async start(): Promise<void> {
    if (!this.enabled) return;
    const o = this.options();
    const api = new ApiServer(o);
    try {
      await api.start();
      this.server = api;
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
      await api.stop().catch(() => undefined);
      o.log.error('the loopback API could not start; the station runs without it', { error: err });
    }
  }

  /** Stops serving (no new calls); the station goes on. */
  async stop(): Promise<void> {
    const api = this.server;
    this.server = null;
    await api?.stop();
  }

  status(): ApiStatus {
    return (
      this.server?.stats() ?? {
        enabled: this.enabled,
        listening: [],
        error: this.enabled ? this.error : null,
        requests: 0,
        refused: {},
        streams: 0,
      }
    );
  }
}
