import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { Agent } from '../../agent/agent.js';
import { splitBatch } from '../../agent/batch-split.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { defineCheck } from '../../checks/define.js';
import { runCheckDefinition } from '../../checks/run.js';
import { CheckAssignmentSchema } from '../../shared/assignment.js';
import { cutForWire, MAX_DETAILS_BYTES, MAX_SUMMARY_CHARS, wireTextBytes } from '../../shared/check-result.js';
import { BatchFrameSchema, toWireResult } from '../../shared/protocol.js';
import { testRuntime } from '../helpers/check-context.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A check as chatty as a plugin that dumps a whole log: output far past what the wire takes. */
const chatty = (summaryChars: number, detailsChars: number, fill = 'x') =>
  defineCheck({
    id: 'test.chatty',
    title: { en: 'Chatty', zh: '啰嗦' },
    params: z.object({}),
    async run() {
      return { status: 'WARNING', summary: 's'.repeat(summaryChars), details: fill.repeat(detailsChars), metrics: [{ measurement: 'chatty', fields: { value: 1 } }] };
    },
  });

const runtime = testRuntime();
const assignment = (name: string) => CheckAssignmentSchema.parse({ name, checkId: 'test.chatty', params: {} });

describe('results are cut to the wire limits by the runner', () => {
  test('a 5,000-character summary and 20,000-character details still make a valid batch', async () => {
    const r = await runCheckDefinition(chatty(5000, 20_000), assignment('chatty'), runtime);
    expect(r.summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(r.summary).toMatch(/^s+… \(cut at 1960 characters\)$/);
    // 20,000 characters are within the details limit: kept whole.
    expect(r.details).toBe('x'.repeat(20_000));
    const { batches } = splitBatch({ results: [toWireResult(r)] });
    const parsed = BatchFrameSchema.safeParse({ type: 'batch', seq: 0, ...batches[0] });
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
  });

  test('details past the limit are cut with a visible marker, counted as they travel in JSON', async () => {
    const r = await runCheckDefinition(chatty(10, 400_000), assignment('chatty'), runtime);
    expect(r.details).toMatch(/x… \(cut at \d+ characters\)$/);
    expect(wireTextBytes(r.details!)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    expect(r.details!.length).toBeGreaterThan(MAX_DETAILS_BYTES - 100);
    // Quotes double in JSON, CJK takes 3 bytes: the cut follows the bytes, so the frame stays bounded.
    for (const fill of ['"', '巡', '\u0001', '😀']) {
      const cut = (await runCheckDefinition(chatty(10, 300_000, fill), assignment('chatty'), runtime)).details!;
      expect(Buffer.byteLength(JSON.stringify(cut)) - 2, JSON.stringify(fill)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
      expect(cut.length).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
      expect(cut).toMatch(/… \(cut at \d+ characters\)$/);
      // No surrogate pair split in half: UTF-8 round trip would turn a lone half into U+FFFD.
      expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
    }
    expect(cutForWire('short', 100)).toBe('short');
  });
});

describe('an oversized result over the wire', () => {
  let collector: TestCollector;
  let agent: Agent;
  const state = tempDir('agent-wire-limits');

  beforeAll(async () => {
    // Only the test's two checks (the collector takes results of assigned checks only); the agent's own runs of
    // them are UNKNOWN (no such check type here), and the test's results are dated after them (see below).
    collector = await startTestCollector({ batchIntervalSec: 0.3 }, { assignments: { forHost: () => [assignment('chatty'), assignment('quiet')].map((a) => ({ ...a, intervalSec: 86400 })) } });
    agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'chatty-host' });
    await agent.start();
    await waitFor(() => agent.connected, 'agent welcomed');
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.destroy();
    state.remove();
  });

  test('reaches the collector, and the other results of its flush with it', async () => {
    const hostId = agent.credentials!.hostId;
    const big = await runCheckDefinition(chatty(5000, 300_000), assignment('chatty'), runtime);
    const small = await runCheckDefinition(chatty(10, 10), assignment('quiet'), runtime);
    // A minute ahead (within the collector's clock skew allowance): newer than the agent's own run of each name.
    agent.submit({ ...big, startedAt: big.startedAt + 60_000 });
    agent.submit({ ...small, startedAt: small.startedAt + 60_000 });
    agent.flush();
    // Before the runner cut results, the collector refused this whole batch as a bad frame: neither arrived.
    const states = await waitFor(() => {
      const rows = listCheckStates(collector.db, { hostId });
      return rows.some((r) => r.name === 'chatty') && rows.some((r) => r.name === 'quiet') ? rows : undefined;
    }, 'both results stored', 10_000);
    const chattyRow = states.find((s) => s.name === 'chatty')!;
    expect(chattyRow.summary).toMatch(/… \(cut at 1960 characters\)$/);
    expect(chattyRow.details).toBe(big.details);
    expect(states.find((s) => s.name === 'quiet')!.summary).toBe('ssssssssss');
    expect(agent.spool.stats().droppedPoints).toBe(0);
  });
});
