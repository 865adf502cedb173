import { expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { createLogger, memorySink } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { Outbox, type Publisher } from '../../src/main/sync/outbox';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

it('a database that refuses writes (a full disk) leaves messages unsent for later instead of throwing', async () => {
  const sink = memorySink();
  const log = createLogger({ level: 'warn', json: true, sinks: [sink] });
  const { store } = await openStore({ dataDir: tempDir(), migrations, log, mode: 'station' });
  const sent: string[] = [];
  const publisher: Publisher = {
    online: () => true,
    publish: (topic) => (sent.push(topic), Promise.resolve()),
  };
  const outbox = new Outbox(store.db, publisher, log, () => new Date());
  store.db.transaction(() => outbox.enqueue({ id: 'e-1', topic: 'sites/north/events/ws-1', payload: '{}' }))();

  // A real refusal from SQLite on every write, as when the disk is full.
  store.db.pragma('query_only = ON');
  expect(() => outbox.kick()).not.toThrow();
  expect(sent).toEqual([]);
  expect(sink.lines.some((l) => l.includes('outbox cannot send now'))).toBe(true);
  expect(outbox.unsentCount()).toBe(1);

  // Space returns: the next kick sends it and marks it sent.
  store.db.pragma('query_only = OFF');
  outbox.kick();
  await waitFor(() => outbox.unsentCount() === 0, 'the message marked sent');
  expect(sent).toEqual(['sites/north/events/ws-1']);
  outbox.stop();
  await store.close();
});
