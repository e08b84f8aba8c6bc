import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { createEnrollmentToken, revokeEnrollmentToken } from '../../collector/db/agents.js';
import { revokeAgent } from '../../collector/tickets/host-retirement.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { RawAgent } from '../helpers/raw-agent.js';

// Times within the window the collector takes (a week back, minutes ahead).
const T0 = Date.now() - 60_000;
const goodBatch = (seq: number, value: number) =>
  JSON.stringify({
    type: 'batch',
    seq,
    results: [],
    metrics: [{ measurement: 'probe', tags: {}, fields: { value }, time: T0 + seq }],
  });

describe('bad input gets a clear error, stores nothing, and never stops other agents', () => {
  let collector: TestCollector;
  let good: RawAgent;
  let goodHost: { agentId: string; agentKey: string; hostId: string };
  let seq = 0;
  const storedFor = (hostId: string) =>
    collector.store.countPoints({ measurement: 'probe', field: 'value', where: { host: hostId }, from: 0, to: Date.now() });

  /** The well-behaved agent streams one batch and must get its ack, whatever the others did. */
  async function goodAgentStillStreams() {
    const s = ++seq;
    good.sendRaw(goodBatch(s, s));
    await good.next((f) => f.type === 'ack' && f.seq === s);
  }

  beforeAll(async () => {
    collector = await startTestCollector();
    goodHost = collector.enrollHost('acme', 'good');
    good = await RawAgent.connect(collector.wsUrl, goodHost.agentKey);
    await good.hello(goodHost.agentId);
  });
  afterAll(async () => {
    good?.close();
    await collector?.destroy();
  });

  test('not-JSON and wrong-schema frames get error frames; the connection stays usable', async () => {
    const bad = collector.enrollHost('acme', 'bad');
    const a = await RawAgent.connect(collector.wsUrl, bad.agentKey);
    await a.hello(bad.agentId);
    a.sendRaw('this is not json {');
    expect(await a.next((f) => f.type === 'error' && f.code === 'bad-json')).toMatchObject({ message: expect.stringContaining('not JSON') });
    a.sendRaw(JSON.stringify({ type: 'batch', seq: 1, metrics: [{ measurement: 'x', fields: {}, time: -5 }] }));
    const err = await a.next((f) => f.type === 'error' && f.code === 'bad-frame');
    expect(err).toMatchObject({ message: expect.stringMatching(/metrics\.0\.(time|fields)/) });
    a.sendRaw(JSON.stringify({ type: 'launch-missiles' }));
    await a.next((f) => f.type === 'error' && f.code === 'bad-frame' && /type/.test(f.message));
    // Still connected and able to store a valid batch afterwards.
    a.sendRaw(goodBatch(7, 7));
    await a.next((f) => f.type === 'ack' && f.seq === 7);
    expect(await storedFor(bad.hostId)).toBe(1);
    a.close();
    await goodAgentStillStreams();
  });

  test('protocol 2: a bad line or a line that claims another host is refused with its line number; good lines are stored', async () => {
    const h = collector.enrollHost('acme', 'lines');
    const a = await RawAgent.connect(collector.wsUrl, h.agentKey);
    await a.hello(h.agentId);
    const result = (lines: string) => ({ name: 'system.cpu', checkId: 'system.cpu', status: 'OK', summary: '', startedAt: T0, durationMs: 1, lines });
    a.sendRaw(JSON.stringify({ type: 'batch', seq: 1, results: [result(`probe value=1 ${T0 + 1}\nprobe value=2i ${T0 + 2}`)] }));
    expect(await a.next((f) => f.type === 'error' && f.seq === 1)).toMatchObject({
      code: 'bad-frame',
      message: expect.stringMatching(/^results\.0\.lines: line 2 is not valid line protocol/),
    });
    a.sendRaw(JSON.stringify({ type: 'batch', seq: 2, results: [], lines: `probe,host=${goodHost.hostId} value=3 ${T0 + 3}` }));
    expect(await a.next((f) => f.type === 'error' && f.seq === 2)).toMatchObject({ code: 'bad-frame', message: expect.stringContaining('set by the collector') });
    expect(await storedFor(h.hostId)).toBe(0);
    expect(await storedFor(goodHost.hostId)).toBe(seq);
    a.sendRaw(JSON.stringify({ type: 'batch', seq: 3, results: [result(`probe value=1 ${T0 + 1}\nprobe value=2 ${T0 + 2}`)], lines: `probe value=3 ${T0 + 3}` }));
    await a.next((f) => f.type === 'ack' && f.seq === 3);
    expect(await storedFor(h.hostId)).toBe(3);
    a.close();
    await goodAgentStillStreams();
  });

  test('a batch before hello is refused', async () => {
    const h = collector.enrollHost('acme', 'early');
    const a = await RawAgent.connect(collector.wsUrl, h.agentKey);
    a.sendRaw(goodBatch(1, 1));
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: 'not-ready', seq: 1 });
    expect(await storedFor(h.hostId)).toBe(0);
    a.close();
  });

  test('a 2 MB frame is refused by the size limit and nothing of it is stored', async () => {
    const h = collector.enrollHost('acme', 'big');
    const a = await RawAgent.connect(collector.wsUrl, h.agentKey);
    await a.hello(h.agentId);
    const huge = JSON.stringify({ type: 'batch', seq: 1, results: [], metrics: [{ measurement: 'probe', tags: { pad: 'x'.repeat(2 * 1024 * 1024) }, fields: { value: 1 }, time: 1 }] });
    a.sendRaw(huge);
    expect(await a.closed()).toBe(1009); // "message too big"
    expect(await storedFor(h.hostId)).toBe(0);
    await goodAgentStillStreams();
  });

  test('a wrong key and a revoked key are refused at the upgrade', async () => {
    await expect(RawAgent.connect(collector.wsUrl, 'pa_not-a-real-key-at-all')).rejects.toThrow('HTTP 401');
    await expect(RawAgent.connect(collector.wsUrl, '')).rejects.toThrow('HTTP 401');
    const h = collector.enrollHost('acme', 'revoked');
    const a = await RawAgent.connect(collector.wsUrl, h.agentKey);
    await a.hello(h.agentId);
    revokeAgent(collector.db, h.agentId, Date.now());
    collector.hub.disconnectAgent(h.agentId);
    expect(await a.closed()).toBe(4001);
    await expect(RawAgent.connect(collector.wsUrl, h.agentKey)).rejects.toThrow('HTTP 401');
    await goodAgentStillStreams();
  });

  test('a hello that claims another agent id is refused', async () => {
    const h = collector.enrollHost('acme', 'liar');
    const a = await RawAgent.connect(collector.wsUrl, h.agentKey);
    a.sendRaw(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agentId: goodHost.agentId, version: 'x', facts: { hostname: 'liar' } }));
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: 'bad-frame', message: expect.stringContaining('does not match') });
    a.close();
  });

  test('an enrollment token works once; reuse and garbage get clear 4xx answers', async () => {
    const token = collector.token('acme');
    const enroll = (body: unknown) =>
      fetch(`${collector.url}/api/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const first = await enroll({ token, hostname: 'new-host' });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ agentKey: expect.stringMatching(/^pa_/), customerId: 'acme' });
    const again = await enroll({ token, hostname: 'thief' });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ reason: 'token-used', error: expect.stringContaining('already used') });
    const expired = createEnrollmentToken(collector.db, 'acme', Date.now() - 2 * 3600_000, { ttlMs: 3600_000 });
    expect(await (await enroll({ token: expired.token, hostname: 'late' })).json()).toMatchObject({ reason: 'token-expired' });
    const revoked = createEnrollmentToken(collector.db, 'acme', Date.now());
    revokeEnrollmentToken(collector.db, revoked.record.id, Date.now());
    expect(await (await enroll({ token: revoked.token, hostname: 'late' })).json()).toMatchObject({ reason: 'token-revoked' });
    const garbage = await fetch(`${collector.url}/api/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'nope' });
    expect(garbage.status).toBe(400);
    await goodAgentStillStreams();
  });

  test('the API asks for credentials and refuses wrong ones', async () => {
    expect((await fetch(`${collector.url}/api/hosts`)).status).toBe(401);
    const wrong = await fetch(`${collector.url}/api/hosts`, { headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` } });
    expect(wrong.status).toBe(401);
  });
});
