import type { Outbox } from './outbox';

/**
 * Retained snapshots of one kind (an alarm's journal, an incident's event log), one per id: due
 * in the transaction of the change that makes them due, built from the store when sent, so a
 * burst of changes shares one (src/main/sync/outbox.ts).
 */
export class Snapshots {
  constructor(
    private readonly outbox: Pick<Outbox, 'provide' | 'enqueueSnapshot' | 'kick'> | undefined,
    private readonly topic: (id: string) => string,
    /** The snapshot's message for an id, or null when there is nothing to send. */
    build: (id: string) => object | null,
  ) {
    const prefix = topic('');
    outbox?.provide(prefix, (t) => {
      const message = build(t.slice(prefix.length));
      return message === null ? null : JSON.stringify(message);
    });
  }

  /** Call inside the transaction of the change: the snapshot of `id` is due. */
  due(id: string): void {
    if (!this.outbox) return;
    this.outbox.enqueueSnapshot(this.topic(id));
    queueMicrotask(() => this.outbox?.kick());
  }
}
