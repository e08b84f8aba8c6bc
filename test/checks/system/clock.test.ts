import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import clock, { readNtpTime, writeNtpTime } from '../../../checks/system/clock.js';
import { runCheck, testCheckContext, testClock } from '../../helpers/check-context.js';

/**
 * A minimal SNTP server on 127.0.0.1: answers mode 4, stratum 2, echoing the client's transmit time,
 * with receive/transmit times from its own clock, which the test sets `skewMs` away from the check's.
 */
const checkClock = testClock();
let skewMs = 0;
let server: Socket;
let port: number;
let silentServer: Socket;
let silentPort: number;

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    const reply = Buffer.alloc(48);
    reply[0] = (0 << 6) | (4 << 3) | 4;
    reply[1] = 2;
    msg.copy(reply, 24, 40, 48);
    const serverNow = checkClock.now() + skewMs;
    writeNtpTime(reply, 32, serverNow);
    writeNtpTime(reply, 40, serverNow);
    server.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  port = server.address().port;
  // Bound but never answering: an NTP server that is down or filtered.
  silentServer = createSocket('udp4');
  await new Promise<void>((r) => silentServer.bind(0, '127.0.0.1', r));
  silentPort = silentServer.address().port;
});
afterAll(() => {
  server.close();
  silentServer.close();
});

describe('system.clock against an NTP server', () => {
  const params = () => ({ server: '127.0.0.1', port, warnOffsetSec: 2, critOffsetSec: 10 });

  test('a host in step with the server is OK with offset 0', async () => {
    skewMs = 0;
    const r = await runCheck(clock, testCheckContext({ clock: checkClock }), params());
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields.offset_sec).toBeCloseTo(0, 3);
  });

  test('a host 3.5 s behind is WARNING, 42 s ahead is CRITICAL, with the signed offset', async () => {
    skewMs = 3500;
    let r = await runCheck(clock, testCheckContext({ clock: checkClock }), params());
    expect(r.status).toBe('WARNING');
    expect(r.metrics![0]!.fields.offset_sec).toBeCloseTo(3.5, 3);
    skewMs = -42_000;
    r = await runCheck(clock, testCheckContext({ clock: checkClock }), params());
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toBe(`clock offset -42.000 s against 127.0.0.1:${port}`);
  });

  test('no answer is UNKNOWN, not OK', async () => {
    const r = await runCheck(clock, testCheckContext({ clock: checkClock }), { server: '127.0.0.1', port: silentPort, timeoutMs: 300 });
    expect(r.status).toBe('UNKNOWN');
    expect(r.summary).toMatch(/^no NTP answer from 127\.0\.0\.1:\d+: timed out/);
  });

  test('NTP timestamps round-trip to the millisecond', () => {
    const b = Buffer.alloc(8);
    const t = Date.UTC(2036, 1, 7, 6, 28, 15, 123);
    writeNtpTime(b, 0, t);
    expect(readNtpTime(b, 0)).toBeCloseTo(t, 0);
  });
});

describe('system.clock against the collector clock', () => {
  test('the host clock read with `date` through the executor, against the clock running the check', async () => {
    // The "collector" clock here is 7 s ahead of this machine's real clock.
    const collectorClock = { now: () => Date.now() + 7000 };
    const r = await runCheck(clock, testCheckContext({ clock: collectorClock }), { reference: 'collector', warnOffsetSec: 5, critOffsetSec: 60 });
    expect(r.status).toBe('WARNING');
    expect(r.metrics![0]!.fields.offset_sec).toBeGreaterThan(6.5);
    expect(r.metrics![0]!.fields.offset_sec).toBeLessThan(7.5);
  });
});
