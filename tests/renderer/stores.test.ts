import { describe, expect, it } from 'vitest';
import { createFrameBatcher, type FrameScheduler } from '../../src/renderer/sync/frame-batcher';
import { formatAge, formatCountdown } from '../../src/renderer/model/format';
import { applyBatch, coalesceBatches, emptyFieldData, replaceValves } from '../../src/renderer/model/field-data';
import { countText, defaultValveQuery, queryValves } from '../../src/renderer/model/valve-query';
import type { Valve } from '../../src/shared/valves';
import type { ConsoleBatch } from '../../src/shared/console';

const valve = (id: string, over: Partial<Valve> = {}): Valve => ({
  id,
  siteId: 'demo',
  name: `Valve ${id}`,
  segment: 'seg-01',
  state: 'open',
  position: 100,
  quality: 'good',
  localControl: false,
  supportsPosition: false,
  updatedAt: '2026-11-25T10:00:00.000Z',
  ...over,
});
const batch = (seq: number, valves: Valve[]): ConsoleBatch => ({ seq, valves, points: [] });
const NOW = '2026-11-25T10:00:05.000Z';

describe('console stores (pure)', () => {
  it('coalescing keeps the latest of each valve and the highest sequence', () => {
    const out = coalesceBatches([
      batch(1, [valve('v-101', { state: 'closing' })]),
      batch(2, [valve('v-101', { state: 'closed' }), valve('v-102')]),
    ])!;
    expect(out.seq).toBe(2);
    expect(out.valves.map((v) => [v.id, v.state])).toEqual([
      ['v-101', 'closed'],
      ['v-102', 'open'],
    ]);
    expect(coalesceBatches([])).toBeNull();
  });

  it('a batch changes only the valves it carries: others keep their object, so their rows do not re-render', () => {
    const start = replaceValves(emptyFieldData, [valve('v-101'), valve('v-102')]);
    const next = applyBatch(start, batch(1, [valve('v-101', { state: 'closing', position: 60 })]), NOW);
    expect(next.valves['v-101']!.state).toBe('closing');
    expect(next.valves['v-102']).toBe(start.valves['v-102']);
    // Membership unchanged: the id list is the same object.
    expect(next.valveIds).toBe(start.valveIds);
    // A batch that changes nothing changes nothing.
    expect(applyBatch(next, batch(2, [valve('v-101', { state: 'closing', position: 60 })]), NOW).valves).toBe(
      next.valves,
    );
  });

  it('filters, searches and sorts the valve list; stale and bad first when sorting by quality', () => {
    const data = replaceValves(emptyFieldData, [
      valve('v-101'),
      valve('v-102', { quality: 'stale' }),
      valve('v-110', { quality: 'bad', name: 'Drain' }),
    ]);
    const q = (over: Partial<typeof defaultValveQuery>) =>
      queryValves(data.valveIds, data.valves, { ...defaultValveQuery, ...over });
    expect(q({})).toEqual(['v-101', 'v-102', 'v-110']);
    expect(q({ search: 'drain' })).toEqual(['v-110']);
    expect(q({ quality: 'not_good' })).toEqual(['v-102', 'v-110']);
    expect(q({ sort: 'quality' })[0]).toBe('v-110');
    expect(countText(2, 3)).toMatch(/2 of 3/);
  });

  it('ages and the OFFLINE countdown in words', () => {
    const now = Date.parse(NOW);
    expect(formatAge('2026-11-25T10:00:00.000Z', now)).toMatch(/5 ?s/);
    expect(formatCountdown('2026-11-25T10:00:09.000Z', now)).toBe('retrying in 4 s');
    expect(formatCountdown('2026-11-25T10:00:01.000Z', now)).toBe('retrying now');
  });

  it('pushed batches are applied at most once per frame', () => {
    const frames: (() => void)[] = [];
    const scheduler: FrameScheduler = {
      requestFrame: (cb) => frames.push(cb),
      cancelFrame: () => undefined,
      setTimer: () => 0,
      clearTimer: () => undefined,
    };
    const applied: number[][] = [];
    const b = createFrameBatcher<number>((items) => applied.push(items), scheduler);
    for (let i = 0; i < 100; i++) b.push(i);
    expect(applied).toEqual([]);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(applied).toHaveLength(1);
    expect(applied[0]).toHaveLength(100);
    b.dispose();
  });
});
