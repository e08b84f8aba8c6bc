import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { CollectorConfigInput } from '../../collector/config.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { inventoryPlugin } from '../../collector/inventory/plugin.js';
import { linesOfBatch } from '../../collector/ingest/ingest.js';
import { parseLine, toLineBlock } from '../../shared/line-protocol.js';
import { AgentFrameSchema, BatchFrameSchema, HelloFrameSchema, MAX_FRAME_BYTES, type CollectorFrame } from '../../shared/protocol.js';
import { StatusSchema } from '../../shared/status.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { anyText, fieldValue, metric, metricName } from './arbitraries.js';
import { arbitraryOf, type Hints } from './zod-arbitrary.js';

/**
 * Frames an agent could send, made from the wire schemas in shared/protocol.ts (valid ones, and the same with a
 * field removed, a type swapped, a huge string, deep nesting, odd unicode, NaN/Infinity/-0 and friends as raw JSON
 * numbers, a negative seq, cut-off text), sent one at a time over a real WebSocket to a real collector. The
 * collector must answer each with one frame (ack, welcome or an error giving its reason, the frame's seq when it
 * had a valid one), keep the connection, never crash, and store only points of batches it acked.
 */

let c: TestCollector;
let agent: RawAgent;
let host: { agentId: string; agentKey: string; hostId: string };
let assigned: Array<{ name: string; checkId: string }>;
/** Texts of the batches the collector acked. */
const acked: string[] = [];
const replies = new Map<string, number>();

async function connect(): Promise<void> {
  agent = await RawAgent.connect(c.wsUrl, host.agentKey);
  const welcome = await agent.hello(host.agentId);
  if (welcome.type !== 'welcome') throw new Error('no welcome');
  assigned = welcome.checks.map((a) => ({ name: a.name, checkId: a.checkId }));
}

beforeAll(async () => {
  // Rates far above the fuzz's: every frame is judged on its content, not paced.
  const limits = { agentFramesPerMin: 10_000_000, agentPointsPerMin: 1_000_000_000 } as CollectorConfigInput;
  c = await startTestCollector(limits, { plugins: [ticketsPlugin, inventoryPlugin] });
  host = c.enrollHost('acme', 'fuzz-host');
  await connect();
});
afterAll(async () => {
  agent?.close();
  await c?.destroy();
});

/**
 * Send one frame and wait for the one answer to it (the collector handles an agent's frames in order). The
 * properties end on their first failure (no shrinking): a shrunk re-run on the same connection could take the
 * late answer of the failed frame for its own.
 */
async function exchange(payload: string | Buffer): Promise<CollectorFrame> {
  const before = agent.frames.length;
  if (typeof payload === 'string') agent.sendRaw(payload);
  else agent.ws.send(payload, { binary: true });
  return agent.next((f) => agent.frames.indexOf(f) >= before, 30_000);
}

type Expected = { kind: 'bad-json' } | { kind: 'bad-frame'; seq?: number } | { kind: 'hello'; ours: boolean } | { kind: 'batch'; seq: number };

/** What the collector must make of a text, judged by the same schemas on this side. */
function expectedOf(text: string): Expected {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'bad-json' };
  }
  const parsed = AgentFrameSchema.safeParse(json);
  // A mutation can make the seq `-0`: the same number as 0 (JSON has no -0 on the way back), so it is compared as 0.
  if (!parsed.success) {
    const seq = (json as { seq?: unknown } | null)?.seq;
    return { kind: 'bad-frame', seq: Number.isSafeInteger(seq) && (seq as number) >= 0 ? (seq as number) + 0 : undefined };
  }
  return parsed.data.type === 'hello' ? { kind: 'hello', ours: parsed.data.agentId === host.agentId } : { kind: 'batch', seq: parsed.data.seq + 0 };
}

function judge(text: string, answer: CollectorFrame): void {
  const expected = expectedOf(text);
  const shown = text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text;
  const key = `${expected.kind}->${answer.type === 'error' ? answer.code : answer.type}`;
  replies.set(key, (replies.get(key) ?? 0) + 1);
  if (answer.type === 'error') expect(answer.message.length, shown).toBeGreaterThan(10);
  switch (expected.kind) {
    case 'bad-json':
      expect(answer, shown).toMatchObject({ type: 'error', code: 'bad-json' });
      break;
    case 'bad-frame':
      expect(answer, shown).toMatchObject({ type: 'error', code: 'bad-frame' });
      expect(answer.type === 'error' ? answer.seq : undefined, shown).toBe(expected.seq);
      break;
    case 'hello':
      expect(answer.type, shown).toBe(expected.ours ? 'welcome' : 'error');
      break;
    case 'batch':
      // Stored and acked, or refused with its reason (times outside the window, values no store can keep).
      if (answer.type === 'ack') {
        expect(answer.seq).toBe(expected.seq);
        acked.push(text);
      } else expect(answer, shown).toMatchObject({ type: 'error', code: 'bad-frame', seq: expected.seq });
  }
}

// ---- generating frames --------------------------------------------------------------------------------------

const NOW = Date.now();
/** Inside the collector's window (the last hour) but now and then anything the schema allows (a batch has many times). */
const time = (schemaTime: fc.Arbitrary<number>) => fc.oneof({ weight: 30, arbitrary: fc.integer({ min: NOW - 3_600_000, max: NOW + 60_000 }) }, { weight: 1, arbitrary: schemaTime });
const lineBlock = fc.oneof(
  { weight: 4, arbitrary: fc.array(metric(time(fc.integer({ min: 0, max: 9_223_372_036_854 }))), { maxLength: 6 }).map(toLineBlock) },
  { weight: 1, arbitrary: anyText(200) },
);

function hints(): Hints {
  const names = assigned.map((a) => a.name);
  const checkIds = assigned.map((a) => a.checkId);
  return (path) => {
    if (path === 'agentId') return fc.oneof({ weight: 5, arbitrary: fc.constant(host.agentId) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 100 }) });
    if (path === 'seq') return fc.nat();
    if (path === 'results.*.name') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: anyText(50).filter((s) => s.length > 0) });
    if (path === 'results.*.checkId') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...checkIds) }, { weight: 1, arbitrary: anyText(50).filter((s) => s.length > 0) });
    if (path === 'results.*.startedAt') return time(fc.integer({ min: 0, max: 9_223_372_036_854 }));
    if (path === 'results.*.lines' || path === 'lines') return lineBlock;
    if (path === 'results.*.summary' || path === 'results.*.details') return anyText(120);
    if (/(^|\.)metrics\.\*\.fields$/.test(path)) return fc.dictionary(metricName, fieldValue, { minKeys: 1, maxKeys: 3 });
    if (/(^|\.)metrics\.\*\.time$/.test(path)) return time(fc.integer({ min: 0, max: 9_223_372_036_854 }));
    return undefined;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every place in a value: [container, key] pairs, the root's own fields first. */
function places(value: Json): Array<[Json[] | { [k: string]: Json }, string | number]> {
  const out: Array<[Json[] | { [k: string]: Json }, string | number]> = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), walk(x)));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) out.push([v, k]), walk(v[k]!);
  };
  walk(value);
  return out;
}

/** Raw JSON tokens no JSON.stringify writes: they reach the collector only as text. */
const RAW_NUMBERS = ['NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '-0', '-1', '1e-400', '9007199254740993', '0.5', '-9007199254740992', '1E2', '00', '.5', '+1'];
const ODD_UNICODE = ['\ud800', '\udfff', '\u0000', '\u202e\u202d', '\ufeff', '\u200b\u200c\u200d', '😀'.repeat(50), '中文'.repeat(30), 'e\u0301'.repeat(40), '\u{10ffff}'];
const RAW_MARK = '\u0001RAW\u0001';

type Mutation =
  | { kind: 'remove' }
  | { kind: 'swap'; value: Json }
  | { kind: 'huge'; size: number; unit: string }
  | { kind: 'deep'; depth: number; open: '[' | '{"a":' }
  | { kind: 'raw'; token: string }
  | { kind: 'unicode'; text: string }
  | { kind: 'negative-seq'; seq: number }
  | { kind: 'cut'; at: number }
  | { kind: 'proto' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'remove' as const }),
  fc.record({ kind: fc.constant('swap' as const), value: fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.nat(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })) as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant('huge' as const), size: fc.integer({ min: 50_000, max: 200_000 }), unit: fc.constantFrom('x', '中', '\\', '"', ' ', '\n', '😀') }),
  fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 100, max: 20_000 }), open: fc.constantFrom('[' as const, '{"a":' as const) }),
  fc.record({ kind: fc.constant('raw' as const), token: fc.constantFrom(...RAW_NUMBERS) }),
  fc.record({ kind: fc.constant('unicode' as const), text: fc.constantFrom(...ODD_UNICODE) }),
  fc.record({ kind: fc.constant('negative-seq' as const), seq: fc.constantFrom(-1, -0.5, -(2 ** 53), 0.5, 2 ** 53) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.constant({ kind: 'proto' as const }),
);

/** The frame's text after one mutation at the place `where` picks. */
function mutate(frame: Json, m: Mutation, where: number): string {
  const value = structuredClone(frame);
  const all = places(value);
  const [container, key] = all.length ? all[where % all.length]! : [null, 0];
  const set = (v: Json) => {
    if (container) (container as Record<string | number, Json>)[key] = v;
  };
  let raw: string | undefined;
  switch (m.kind) {
    case 'remove':
      if (Array.isArray(container)) container.splice(key as number, 1);
      else if (container) delete (container as Record<string, Json>)[key];
      break;
    case 'swap':
      set(m.value);
      break;
    case 'huge':
      set(m.unit.repeat(m.size));
      break;
    case 'deep':
      raw = m.open === '[' ? '['.repeat(m.depth) + ']'.repeat(m.depth) : `${m.open.repeat(m.depth)}1${'}'.repeat(m.depth)}`;
      set(RAW_MARK);
      break;
    case 'raw':
      raw = m.token;
      set(RAW_MARK);
      break;
    case 'unicode':
      set(m.text);
      break;
    case 'negative-seq':
      if (value && typeof value === 'object' && !Array.isArray(value)) value.seq = m.seq;
      break;
    case 'cut': {
      const text = JSON.stringify(value);
      return text.slice(0, m.at % Math.max(1, text.length));
    }
    case 'proto':
      return JSON.stringify(value).replace(/^\{/, '{"__proto__":{"type":"batch","seq":1},"constructor":{"prototype":{"x":1}},');
  }
  const text = JSON.stringify(value);
  return raw === undefined ? text : text.replace(JSON.stringify(RAW_MARK), raw);
}

describe('agent frames from the wire schemas, valid and broken, over a real WebSocket', () => {
  test('valid frames: each acked, welcomed or refused with its reason, and the connection stays', async () => {
    const frames = fc.oneof({ weight: 4, arbitrary: arbitraryOf(BatchFrameSchema, hints()) }, { weight: 1, arbitrary: arbitraryOf(HelloFrameSchema, hints()) });
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        const text = JSON.stringify(frame);
        judge(text, await exchange(text));
      }),
      { numRuns: 250, endOnFailure: true },
    );
    expect(agent.closeCode).toBeUndefined();
    // Most valid batches dated inside the window are stored: the fuzz reaches the store, not only the schema.
    expect(replies.get('batch->ack') ?? 0).toBeGreaterThan(80);
  }, 120_000);

  test('mutated frames: never a crash, every bad one answered with its reason', async () => {
    const frames = fc.oneof(arbitraryOf(BatchFrameSchema, hints()), arbitraryOf(HelloFrameSchema, hints()));
    await fc.assert(
      fc.asyncProperty(frames, mutation, fc.nat(), async (frame, m, where) => {
        const text = mutate(frame as Json, m, where);
        expect(Buffer.byteLength(text)).toBeLessThan(MAX_FRAME_BYTES);
        judge(text, await exchange(text));
      }),
      { numRuns: 400, endOnFailure: true },
    );
    expect(agent.closeCode).toBeUndefined();
    expect(replies.get('bad-frame->bad-frame') ?? 0).toBeGreaterThan(50);
    expect(replies.get('bad-json->bad-json') ?? 0).toBeGreaterThan(10);
  }, 180_000);

  test('garbage text and binary frames are answered; an oversize frame closes only its own connection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyText(2000), fc.constantFrom('', 'null', '[]', '{}', '"batch"', '{"type":"batch"}', '{"type":"hello"}', '{"type":"ack","seq":1}', '{"type":"batch","seq":-1}', 'true', '1e309')), async (text) => {
        judge(text, await exchange(text));
      }),
      { numRuns: 150, endOnFailure: true },
    );
    const binary = await exchange(Buffer.from([0x7b, 0xff, 0x00, 0x7d]));
    expect(binary).toMatchObject({ type: 'error', code: 'bad-frame', message: expect.stringMatching(/binary/) });

    agent.sendRaw(JSON.stringify({ type: 'batch', seq: 1, results: [], lines: `m f="${'x'.repeat(MAX_FRAME_BYTES)}" ${NOW}` }));
    expect(await agent.closed()).toBe(1009);
    await connect();
    const seq = 999_999;
    const ok = await exchange(JSON.stringify({ type: 'batch', seq, results: [], lines: `after_oversize value=1 ${NOW}` }));
    expect(ok).toEqual({ type: 'ack', seq });
    acked.push(JSON.stringify({ type: 'batch', seq, results: [], lines: `after_oversize value=1 ${NOW}` }));
  }, 120_000);

  test('the store holds only points of acked batches, owned by this host, with values every store can keep', async () => {
    const res = await fetch(`${c.url}/health`);
    expect(res.ok).toBe(true);

    const owner = { customerId: 'acme', hostId: host.hostId };
    const key = (measurement: string, tags: Record<string, string>, field: string, time: number) => {
      const sorted = Object.fromEntries(Object.keys(tags).sort().map((k) => [k, tags[k]!]));
      return `${measurement}\u0000${JSON.stringify(sorted)}\u0000${field}\u0000${time}`;
    };
    const expected = new Set<string>();
    const mustBeStored = new Set<string>();
    for (const text of acked) {
      const batch = BatchFrameSchema.parse(JSON.parse(text));
      for (const line of linesOfBatch(owner, batch)) {
        const m = parseLine(line);
        for (const field of Object.keys(m.fields)) expected.add(key(m.measurement, m.tags, field, m.time));
      }
      // The batch's own lines belong to no check, so nothing may drop them once acked.
      for (const line of linesOfBatch(owner, { ...batch, results: [] })) {
        const m = parseLine(line);
        for (const field of Object.keys(m.fields)) mustBeStored.add(key(m.measurement, m.tags, field, m.time));
      }
    }

    const db = new Database(join(c.dataDir, 'metrics.db'), { readonly: true });
    const rows = db
      .prepare('SELECT s.measurement AS measurement, s.tags AS tags, p.field AS field, p.time AS time, p.value AS value, p.text AS text FROM points p JOIN series s ON s.id = p.series_id')
      .all() as Array<{ measurement: string; tags: string; field: string; time: number; value: number | null; text: string | null }>;
    db.close();
    expect(rows.length).toBeGreaterThan(100);
    const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/;
    const stored = new Set<string>();
    for (const r of rows) {
      const tags = JSON.parse(r.tags) as Record<string, string>;
      const k = key(r.measurement, tags, r.field, r.time);
      stored.add(k);
      expect(expected.has(k), `stored but never acked: ${k}`).toBe(true);
      expect(r.measurement).toMatch(NAME);
      expect(r.field).toMatch(NAME);
      for (const t of Object.keys(tags)) expect(t).toMatch(NAME);
      expect(tags).toMatchObject({ customer: 'acme', host: host.hostId });
      expect(r.value === null ? typeof r.text : Number.isFinite(r.value)).toBe(r.value === null ? 'string' : true);
      expect(r.time).toBeGreaterThanOrEqual(NOW - 8 * 86_400_000);
      expect(r.time).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    }
    for (const k of mustBeStored) expect(stored.has(k), `acked but not stored: ${k}`).toBe(true);

    // Check states written from fuzzed results are whole too.
    const states = c.db.prepare('SELECT name, status FROM check_states WHERE host_id = ?').all(host.hostId) as Array<{ name: string; status: string }>;
    for (const s of states) {
      expect(StatusSchema.safeParse(s.status).success).toBe(true);
      expect(s.name.length).toBeGreaterThan(0);
    }
  });
});
