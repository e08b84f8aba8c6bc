import { describe, expect, test } from 'vitest';
import { checkLineBlock, ownerTagText, parseLine, toLine, withOwnerTags } from '../../shared/line-protocol.js';
import { BatchFrameSchema, formatZodError, toWireResult } from '../../shared/protocol.js';
import type { Metric } from '../../shared/metric.js';
import { TRICKY_METRICS, asStored } from '../helpers/tricky-metrics.js';

describe('line protocol on the wire', () => {
  test('every metric a check can produce survives toLine -> check -> parseLine unchanged (newlines become spaces)', () => {
    const block = TRICKY_METRICS.map(toLine).join('\n');
    const checked = checkLineBlock(block);
    expect(checked).toMatchObject({ ok: true });
    const back = (checked as { lines: string[] }).lines.map(parseLine);
    expect(back).toEqual(TRICKY_METRICS.map(asStored));
  });

  test('owner tags go right after the measurement, escaped', () => {
    const owner = ownerTagText('acme corp', 'h1');
    expect(owner).toBe(',customer=acme\\ corp,host=h1');
    expect(withOwnerTags('cpu,core=0 used_pct=5 1', owner)).toBe('cpu,customer=acme\\ corp,host=h1,core=0 used_pct=5 1');
    expect(withOwnerTags('cpu used_pct=5 1', owner)).toBe('cpu,customer=acme\\ corp,host=h1 used_pct=5 1');
    expect(parseLine(withOwnerTags('cpu used_pct=5 1', owner)).tags).toEqual({ customer: 'acme corp', host: 'h1' });
  });

  test('a backslash before a separator cannot escape it (it comes back doubled, as InfluxDB stores it)', () => {
    const line = toLine({ measurement: 'disk', tags: { drive: 'C:\\', odd: 'a\\,b' }, fields: { x: 1 }, time: 1 });
    expect(checkLineBlock(line).ok).toBe(true);
    expect(parseLine(line).tags).toEqual({ drive: 'C:\\\\', odd: 'a\\\\,b' });
  });

  test.each([
    ['an integer field (i suffix)', 'cpu used=5i 1'],
    ['NaN', 'cpu used=NaN 1'],
    ['no timestamp', 'cpu used=5'],
    ['a nanosecond timestamp is too long', 'cpu used=5 17000000000000000000'],
    ['no fields', 'cpu,core=0 1'],
    ['an empty tag value', 'cpu,core= used=5 1'],
    ['a measurement with a space', 'my cpu used=5 1'],
    ['an unterminated string', 'log msg="oops 1'],
    ['a customer tag', 'cpu,customer=other used=5 1'],
    ['a host tag', 'cpu,host=someone-else used=5 1'],
  ])('refused: %s, naming the line', (_why, bad) => {
    const r = checkLineBlock(`cpu used=1 1\n${bad}`);
    expect(r.ok).toBe(false);
    expect((r as { message: string }).message).toMatch(/^line 2 is not valid line protocol/);
    if (/customer=|host=/.test(bad)) expect((r as { message: string }).message).toContain('set by the collector');
  });

  test('a batch in wire form parses to checked lines; a bad line makes the frame invalid with the path', () => {
    const wire = toWireResult({ name: 'disk', checkId: 'system.disk', status: 'OK', summary: 'ok', startedAt: 1, durationMs: 2, metrics: TRICKY_METRICS.slice(0, 2) });
    const ok = BatchFrameSchema.safeParse({ type: 'batch', seq: 1, results: [wire], lines: 'patrol_agent rss_bytes=1 5' });
    expect(ok.success && ok.data.results[0]!.lines).toHaveLength(2);
    expect(ok.success && ok.data.lines).toEqual(['patrol_agent rss_bytes=1 5']);
    const bad = BatchFrameSchema.safeParse({ type: 'batch', seq: 1, results: [{ ...wire, lines: 'x y=1i 2' }] });
    expect(bad.success).toBe(false);
    expect(formatZodError(bad.error!)).toMatch(/^results\.0\.lines: line 1 is not valid/);
  });

  test('a protocol 1 batch (metric objects) becomes the same lines; owner names in it are refused, the agent leaves them out', () => {
    const metric: Metric = { measurement: 'cpu', tags: { core: '0' }, fields: { used_pct: 5 }, time: 9 };
    const result = { name: 'cpu', checkId: 'system.cpu', status: 'OK' as const, summary: '', startedAt: 9, durationMs: 1 };
    const parsed = BatchFrameSchema.parse({ type: 'batch', seq: 1, results: [{ ...result, metrics: [metric] }], metrics: [metric] });
    expect(parsed.results[0]!.lines).toEqual(['cpu,core=0 used_pct=5 9']);
    expect(parsed.lines).toEqual(['cpu,core=0 used_pct=5 9']);
    const spoofed: Metric = { ...metric, tags: { core: '0', host: 'spoofed' }, fields: { used_pct: 5, customer: 'other' } };
    const refused = BatchFrameSchema.safeParse({ type: 'batch', seq: 1, results: [], metrics: [metric, spoofed] });
    expect(refused.success).toBe(false);
    expect(formatZodError(refused.error!)).toMatch(/^metrics\.1\.tags\.host: customer and host are set by the collector/);
    // The agent's own encoder drops them, so a check that tags its target `host` does not get its batch refused.
    expect(toWireResult({ ...result, metrics: [spoofed] }).lines).toBe('cpu,core=0 used_pct=5 9');
    expect(spoofed.tags.host).toBe('spoofed'); // the caller's object is not changed
  });
});
