import { AsyncLocalStorage } from 'node:async_hooks';
import type { Identity } from './operators/sessions';

/** One call into the station: from the console (IPC) or from a local integration (the HTTP API). */
export interface Call {
  requestId: string;
  /** Who the call acts as when it is not the console's operator: an API key. */
  identity?: Identity;
}

/**
 * The call a piece of work belongs to, carried across awaits, so the request id reaches every
 * log line and audit entry it causes, and the services see who is acting without each
 * signature passing it along. One per station (no module-level instance).
 */
export class CallScope {
  private readonly storage = new AsyncLocalStorage<Call>();

  run<T>(call: Call, fn: () => T): T {
    return this.storage.run(call, fn);
  }

  current(): Call | undefined {
    return this.storage.getStore();
  }
}
