import { afterEach, describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spool } from '../../agent/spool.js';
import { tempDir } from '../helpers/temp-dir.js';

const batch = { results: [], lines: 'm,check=x v=1 1700000000000' };

// Sending a batch this agent just spooled reads nothing back from the disk and validates nothing again (issue 17:
// an idle agent's CPU); a batch found on the disk at start is still checked, and dropped when damaged.
describe('the spool sends its own batches from memory', () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  test('its own batch is the text it wrote; after a restart the file is read and checked', () => {
    const d = tempDir('spool-own');
    dirs.push(d);
    const s = new Spool(d.path);
    const frame = s.put(batch);
    expect(JSON.parse(s.frameText(frame.seq)!)).toEqual(frame);
    // A valid batch read back by a restarted spool is the same text.
    expect(new Spool(d.path).frameText(frame.seq)).toBe(s.frameText(frame.seq));
    // Damaged on disk after it was written: this process still sends what it wrote...
    writeFileSync(join(d.path, '000000000000.json'), '{"type":"batch","seq":0,"results":"broken"}');
    expect(JSON.parse(s.frameText(frame.seq)!)).toEqual(frame);
    // ...a restarted one reads the file, finds it invalid, drops and counts it.
    const again = new Spool(d.path);
    expect(again.frameText(frame.seq)).toBeUndefined();
    expect(again.pending()).toEqual([]);
    expect(again.stats().droppedBatches).toBe(1);
  });

  test('an acked batch is forgotten; memory is bounded, older batches come from the disk', () => {
    const d = tempDir('spool-own-bound');
    dirs.push(d);
    const s = new Spool(d.path);
    const big = { results: [], lines: Array.from({ length: 2000 }, (_, i) => `m,check=x v=${i} 1700000000000`).join('\n') };
    const seqs = Array.from({ length: 6 }, () => s.put(big).seq); // ~70 kB each, over the 256 kB kept
    for (const seq of seqs) expect(JSON.parse(s.frameText(seq)!).seq).toBe(seq);
    s.ack(seqs[5]!);
    expect(s.frameText(seqs[5]!)).toBeUndefined();
    // The oldest is no longer in memory: damaged on disk, it is dropped rather than sent.
    writeFileSync(join(d.path, '000000000000.json'), '{not json');
    expect(s.frameText(seqs[0]!)).toBeUndefined();
    expect(s.pending()).toEqual(seqs.slice(1, 5));
  });
});
