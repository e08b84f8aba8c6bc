import { afterEach, describe, expect, test } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spool } from '../../agent/spool.js';
import { Backoff } from '../../agent/backoff.js';
import { tempDir } from '../helpers/temp-dir.js';

const batch = (n: number, pad = 0) => ({
  results: [],
  metrics: Array.from({ length: n }, (_, i) => ({ measurement: 'm', tags: { pad: 'x'.repeat(pad) }, fields: { v: i }, time: i })),
});

describe('the agent spool', () => {
  const dirs: Array<{ remove(): void }> = [];
  const dir = () => {
    const d = tempDir('spool');
    dirs.push(d);
    return d.path;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  test('batches survive a restart, in order, and keep counting sequence numbers', () => {
    const path = dir();
    const a = new Spool(path);
    const seqs = [a.put(batch(1)).seq, a.put(batch(2)).seq, a.put(batch(3)).seq];
    expect(seqs).toEqual([0, 1, 2]);
    a.ack(1);
    const b = new Spool(path);
    expect(b.pending()).toEqual([0, 2]);
    expect(b.read(2)?.metrics).toHaveLength(3);
    expect(b.put(batch(1)).seq).toBe(3);
    b.ack(0);
    b.ack(2);
    b.ack(3);
    // Acked everything: a new spool still never reuses a number.
    expect(new Spool(path).put(batch(1)).seq).toBe(4);
  });

  test('when full, the oldest batches go and their points are counted as dropped', () => {
    const path = dir();
    const s = new Spool(path, 20_000);
    for (let i = 0; i < 10; i++) s.put(batch(10, 300)); // ~4 KB each
    const st = s.stats();
    expect(st.bytes).toBeLessThanOrEqual(20_000);
    expect(st.droppedBatches).toBe(10 - st.batches);
    expect(st.droppedPoints).toBe(10 * st.droppedBatches);
    expect(s.pending()[0]).toBe(st.droppedBatches); // the newest were kept
    // The count survives a restart, so the collector hears about it even after one.
    expect(new Spool(path, 20_000).stats().droppedPoints).toBe(st.droppedPoints);
  });

  test('a damaged batch file is dropped and counted, not a crash', () => {
    const path = dir();
    const s = new Spool(path);
    s.put(batch(1));
    writeFileSync(join(path, '000000000000.json'), '{not json');
    const again = new Spool(path);
    expect(again.read(0)).toBeUndefined();
    expect(again.pending()).toEqual([]);
    expect(again.stats().droppedBatches).toBe(1);
    expect(readdirSync(path).filter((f) => f.endsWith('.json') && f !== 'meta.json')).toEqual([]);
  });
});

describe('reconnect backoff', () => {
  test('grows exponentially with jitter up to the cap, and resets', () => {
    const high = new Backoff(1000, 60_000, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => high.next())).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    high.reset();
    expect(high.next()).toBe(1000);
    const low = new Backoff(1000, 60_000, () => 0);
    expect(low.next()).toBe(500);
  });
});
