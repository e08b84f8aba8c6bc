import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Spool } from '../../agent/spool.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * An agent whose spool lives on a small file system that fills up (the chaos run's small tmpfs): the spool used to
 * throw ENOSPC out of put(), which ended the agent (put runs in the flush timer) and lost the batch uncounted. Now
 * the oldest batches make room and are counted as dropped, and the agent goes on.
 */
describe('spool on a full disk', () => {
  const dir = tempDir('spool-tmpfs');
  let mounted = false;

  beforeAll(() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir.path], { stdio: 'ignore' });
      mounted = true;
    } catch {
      // Not root, or no CAP_SYS_ADMIN: the test says so and is skipped below.
    }
  });

  afterAll(() => {
    if (mounted) execFileSync('umount', [dir.path]);
    dir.remove();
  });

  test('put() never throws for lack of space: the oldest batches go, counted, and the newest are kept', (ctx) => {
    if (!mounted) ctx.skip();
    const spool = new Spool(join(dir.path, 'spool'), 100 * 1024 * 1024);
    // Another program takes most of the room, as on a real full partition.
    mkdirSync(join(dir.path, 'other'));
    writeFileSync(join(dir.path, 'other', 'big'), Buffer.alloc(20 * 1024));
    const line = (i: number) => `m,k=v${i} f=1,note="${'x'.repeat(900)}" 1700000000000`;
    let seq = -1;
    for (let i = 0; i < 200; i++) seq = spool.put({ results: [], lines: line(i) }).seq;
    const s = spool.stats();
    expect(s.droppedBatches).toBeGreaterThan(100);
    // Each batch held one point: every batch is either still spooled or counted as dropped.
    expect(s.droppedPoints + s.batches).toBe(200);
    expect(spool.pending().at(-1)).toBe(seq);
    expect(spool.read(seq)?.lines).toBe(line(199));
    // Nothing half-written left behind.
    expect(readdirSync(join(dir.path, 'spool')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The figures survive a restart of the agent.
    const again = new Spool(join(dir.path, 'spool'), 100 * 1024 * 1024);
    expect(again.stats().droppedPoints + again.stats().batches).toBe(200);
  });
});
