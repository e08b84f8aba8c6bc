import { afterEach, describe, expect, test } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { CollectorLink } from '../../agent/collector-link.js';
import { Spool } from '../../agent/spool.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A link that dies without a reset (a cut cable, a firewall that forgets the connection) looks open to the agent
 * until TCP gives up, about 15 minutes. The collector pings every 30 s, so a silence of 100 s is a dead link: the
 * agent drops it and connects again. A collector that keeps pinging keeps the connection.
 */
describe('the agent drops a connection the collector has gone silent on', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  /** A collector stand-in: welcomes each hello, then pings every `pingMs` or (undefined) says nothing more. */
  async function server(pingMs: number | undefined) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const connections: WebSocket[] = [];
    wss.on('connection', (ws) => {
      connections.push(ws);
      ws.once('message', () => ws.send(JSON.stringify({ type: 'welcome', hostId: 'h1', checks: [], batchIntervalSec: 10, serverTime: Date.now() })));
      if (pingMs) {
        const t = setInterval(() => ws.ping(), pingMs);
        ws.on('close', () => clearInterval(t));
      }
    });
    cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/agent`, connections };
  }

  function link(url: string, silenceMs = 400) {
    const dir = tempDir('link-silence');
    const l = new CollectorLink({
      url,
      agentKey: 'key',
      agentId: 'agent-1',
      version: 'test',
      facts: () => ({ hostname: 'h1', os: '', kernel: '', arch: '', cpuCores: 1, memoryBytes: 0 }),
      spool: new Spool(dir.path),
      onWelcome: () => {},
      onConfig: () => {},
      onRunNow: () => {},
      silenceMs,
    });
    cleanups.push(async () => {
      await l.stop();
      dir.remove();
    });
    l.start();
    return l;
  }

  const until = async (cond: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return cond();
  };

  test('silent after the welcome: dropped after the silence, and connected again', async () => {
    const s = await server(undefined);
    const l = link(s.url);
    expect(await until(() => l.connected, 2000)).toBe(true);
    // 400 ms of silence, then a reconnect after the first back-off (0.5-1 s).
    expect(await until(() => s.connections.length >= 2, 4000)).toBe(true);
    expect(l.lastError).toMatch(/no word from the collector/);
    expect(s.connections[0]!.readyState).not.toBe(s.connections[0]!.OPEN);
  });

  test('a collector that pings keeps the connection however long nothing else comes', async () => {
    const s = await server(100);
    // 15 pings to a silence: a test worker stalled for a few hundred ms (a loaded machine) must not pass for a dead link.
    const l = link(s.url, 1500);
    expect(await until(() => l.connected, 2000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.connections).toHaveLength(1);
    expect(l.connected).toBe(true);
  });
});
