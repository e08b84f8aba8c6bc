import { describe, expect, test } from 'vitest';
import { splitBatch } from '../../agent/batch-split.js';
import { BatchFrameSchema, toWireResult } from '../../shared/protocol.js';
import { InspectionAnswers } from '../../collector/reports/inspection.js';
import type { CheckResult } from '../../shared/check-result.js';

const big: CheckResult = {
  name: 'processes',
  checkId: 'system.process',
  status: 'OK',
  summary: 'many',
  startedAt: 1_700_000_000_000,
  durationMs: 4,
  metrics: Array.from({ length: 15_000 }, (_, i) => ({ measurement: 'process', tags: { name: `worker-${i}-with-a-rather-long-name` }, fields: { rss_bytes: i * 4096 }, time: 1_700_000_000_000 })),
};
const small: CheckResult = { ...big, name: 'cpu', checkId: 'system.cpu', metrics: big.metrics.slice(0, 2) };

describe('a run-now answer too big for one frame', () => {
  test('reaches the inspection whole: it waits for every part and keeps each check once with all its figures', async () => {
    const { batches } = splitBatch({ results: [toWireResult(small), toWireResult(big)], requestId: 'insp-1' });
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.requestParts === batches.length)).toBe(true);

    const answers = new InspectionAnswers();
    const answered = answers.wait('insp-1', 5_000);
    let resolved = false;
    void answered.then(() => (resolved = true));
    for (const [i, b] of batches.entries()) {
      const parsed = BatchFrameSchema.parse(JSON.parse(JSON.stringify({ type: 'batch', seq: i, ...b })));
      answers.onResults({ hostId: 'h1' }, parsed.results, 1, { requestId: parsed.requestId, requestParts: parsed.requestParts });
      await Promise.resolve();
      if (i < batches.length - 1) expect(resolved).toBe(false);
    }
    const r = await answered;
    expect(r!.results.map((x) => x.name).sort()).toEqual(['cpu', 'processes']);
    expect(r!.results.find((x) => x.name === 'processes')!.metrics).toHaveLength(15_000);
  });

  test('a one-batch answer resolves at once, as before', async () => {
    const { batches } = splitBatch({ results: [toWireResult(small)], requestId: 'insp-2' });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.requestParts).toBeUndefined();
    const answers = new InspectionAnswers();
    const answered = answers.wait('insp-2', 5_000);
    const parsed = BatchFrameSchema.parse({ type: 'batch', seq: 0, ...batches[0] });
    answers.onResults({ hostId: 'h1' }, parsed.results, 1, { requestId: parsed.requestId });
    expect((await answered)!.results[0]!.metrics).toHaveLength(2);
  });
});
