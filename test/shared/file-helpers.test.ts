import { expect, test } from 'vitest';
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/write-atomic.js';
import { SingleFlight } from '../../shared/single-flight.js';
import { tempDir } from '../helpers/temp-dir.js';

test('writeFileAtomic replaces the whole file, leaves no temp file, and gives the mode even over a stale temp file', () => {
  const dir = tempDir('write-atomic');
  try {
    const path = join(dir.path, 'key.json');
    writeFileSync(`${path}.tmp`, 'left by a crash', { mode: 0o644 });
    writeFileAtomic(path, '{"a":1}', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    writeFileAtomic(path, Buffer.from('second'));
    expect(readFileSync(path, 'utf8')).toBe('second');
  } finally {
    dir.remove();
  }
});

test('SingleFlight shares one run per key while it is under way, and starts a new one after it settles', async () => {
  const flights = new SingleFlight<string, number>();
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const fn = async () => {
    runs++;
    await gate;
    return runs;
  };
  const a = flights.run('k', fn);
  const b = flights.run('k', fn);
  const other = flights.run('other', async () => 99);
  expect(b).toBe(a);
  release();
  expect(await Promise.all([a, b, other])).toEqual([1, 1, 99]);
  expect(flights.get('k')).toBeUndefined();
  await expect(flights.run('k', async () => { throw new Error('failed'); })).rejects.toThrow('failed');
  expect(flights.get('k')).toBeUndefined();
  expect(await flights.run('k', fn)).toBe(2);
});
