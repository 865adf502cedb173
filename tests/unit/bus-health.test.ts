import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/main/bus';
import { busCheck, HealthService } from '../../src/main/health';
import { Health } from '../../src/shared/health';
import { createLogger, memorySink } from '../../src/main/log';

interface Events {
  'valve.changed': { id: string };
}

function setup() {
  const sink = memorySink();
  const log = createLogger({ level: 'info', json: true, sinks: [sink] });
  let now = 1_000_000;
  const bus = new EventBus<Events>(log, () => now);
  return { sink, log, bus, advance: (ms: number) => (now += ms), now: () => now };
}

describe('event bus', () => {
  it('a throwing subscriber is isolated, counted and logged; the others still get the event', () => {
    const { bus, sink } = setup();
    const seen: string[] = [];
    bus.on('valve.changed', () => {
      throw new Error('render bug');
    });
    bus.on('valve.changed', (e) => seen.push(e.id));
    expect(() => bus.emit('valve.changed', { id: 'v-101' })).not.toThrow();
    expect(seen).toEqual(['v-101']);
    expect(bus.getStats()).toMatchObject({ delivered: 1, subscriberErrors: 1 });
    expect(JSON.parse(sink.lines[0]!)).toMatchObject({
      level: 'ERROR',
      message: 'event subscriber failed',
      event: 'valve.changed',
    });
  });

  it('unsubscribing stops delivery', () => {
    const { bus } = setup();
    const seen: string[] = [];
    const off = bus.on('valve.changed', (e) => seen.push(e.id));
    bus.emit('valve.changed', { id: 'a' });
    off();
    bus.emit('valve.changed', { id: 'b' });
    expect(seen).toEqual(['a']);
  });

  it('recent subscriber errors degrade the bus check for five minutes', () => {
    const { bus, advance, now } = setup();
    bus.on('valve.changed', () => {
      throw new Error('x');
    });
    bus.emit('valve.changed', { id: 'v-1' });
    expect(busCheck(bus.getStats(), now()).status).toBe('degraded');
    advance(5 * 60_000 + 1);
    expect(busCheck(bus.getStats(), now())).toMatchObject({ status: 'ok', details: { subscriber_errors: 1 } });
  });
});

describe('health', () => {
  it('answers in the seed shape; not_configured does not degrade; down wins over degraded', () => {
    const { log } = setup();
    let t = 0;
    const health = new HealthService('1.2.3', log, () => t);
    health.register('database', () => ({ status: 'ok' }));
    health.register('event_bus', () => ({ status: 'ok' }));
    t = 61_500;
    expect(health.get()).toEqual({
      status: 'ok',
      checks: { database: 'ok', mqtt: 'ok', event_bus: 'ok' },
      details: { database: { status: 'ok' }, mqtt: { status: 'not_configured' }, event_bus: { status: 'ok' } },
      demo: false,
      uptime_sec: 61,
      version: '1.2.3',
    });
    health.register('event_bus', () => ({ status: 'degraded', reason: 'x' }));
    expect(health.get().status).toBe('degraded');
    health.register('database', () => {
      throw new Error('SQLITE_IOERR');
    });
    const h = health.get();
    expect(h.status).toBe('down');
    expect(h.checks.database).toBe('down');
    expect(h.details.database).toEqual({ status: 'down', reason: 'check failed: SQLITE_IOERR' });
    expect(Health.parse(h)).toEqual(h);
  });

  it('runs the checks at most once a second, however often it is asked', () => {
    const { log } = setup();
    let t = 0;
    let runs = 0;
    const health = new HealthService('1.2.3', log, () => t);
    health.register('database', () => (runs++, { status: 'ok' }));
    for (let i = 0; i < 100; i++) health.get();
    expect(runs).toBe(1);
    t = 999;
    health.get();
    expect(runs).toBe(1);
    t = 1_000;
    health.get();
    expect(runs).toBe(2);
  });
});
