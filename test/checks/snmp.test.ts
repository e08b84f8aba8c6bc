import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import snmpCheck, { counterDelta, deviceRestarted } from '../../checks/network/snmp-device.js';
import { memoryState, runCheck, testCheckContext, testClock } from '../helpers/check-context.js';
import { startSnmpd, type RunningSnmpd } from '../helpers/snmpd.js';
import { waitFor } from '../helpers/ports.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';

type Fields = Record<string, unknown>;

describe('network.snmp against a real snmpd showing this machine', () => {
  let agent: RunningSnmpd;
  const params = () => ({ host: agent.host, port: agent.port, community: agent.community });
  const iface = (out: { metrics?: Array<{ measurement: string; tags?: Record<string, string>; fields: Fields }> }, name: string) =>
    out.metrics?.find((m) => m.measurement === 'snmp_interface' && m.tags?.ifname === name)?.fields;

  beforeAll(async () => {
    agent = await startSnmpd();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  test("this machine's interfaces: lo is up, and the second run gives rates", async () => {
    const clock = testClock();
    const ctx = testCheckContext({ clock, state: memoryState() });
    const first = await runCheck(snmpCheck, ctx, params());
    expect(first.status).toBe('OK');
    expect(first.summary).toMatch(/^\S+ up \d+h \d+m, \d+ interfaces \(\d+ up, \d+ admin down\) \(rates from the next run\), (CPU \d+%, )?memory \d+%$/);
    const kernelIfaces = readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).map((l) => l.split(':')[0].trim()).filter(Boolean);
    const seen = first.metrics?.filter((m) => m.measurement === 'snmp_interface').map((m) => m.tags?.ifname);
    expect(new Set(seen)).toEqual(new Set(kernelIfaces));
    expect(iface(first, 'lo')).toMatchObject({ admin_up: true, oper_up: true, oper_status: 'up', counter_bits: 64 });
    expect(iface(first, 'lo')).not.toHaveProperty('in_bps');
    const device = first.metrics?.[0].fields ?? {};
    expect(device).toMatchObject({ up: 1, uptime_source: 'hrSystemUptime', restarted: false, interfaces_down: 0 });
    // hrSystemUptime is the host's uptime: compare with the kernel's own figure.
    const hostUptimeSec = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    expect(Math.abs(Number(device.uptime_sec) - hostUptimeSec)).toBeLessThan(5);
    // net-snmp gives hrProcessorLoad only after its first minute of samples: until then CPU is skipped, not 0.
    if ('cpu_load_pct' in device) expect(Number(device.cpu_load_pct)).toBeLessThanOrEqual(100);
    else expect(first.summary).not.toContain('CPU');
    const memTotalKb = Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    expect(device.mem_total_bytes).toBe(memTotalKb * 1024);
    expect(Number(device.mem_used_bytes)).toBeLessThan(memTotalKb * 1024);

    // Traffic on lo between the two polls (the polls' own packets are enough). snmpd caches its interface table
    // for a few seconds, so wait, with a separate context, until it shows the growth; the rate itself comes
    // from the injected 10 seconds.
    const loBefore = Number((iface(first, 'lo') as Fields).in_octets);
    await waitFor(async () => {
      const probe = await runCheck(snmpCheck, testCheckContext(), { ...params(), interfaces: ['^lo$'] });
      return Number((iface(probe, 'lo') as Fields).in_octets) > loBefore;
    }, 'snmpd to refresh its interface table', 30_000, 500);
    clock.advance(10_000);
    const second = await runCheck(snmpCheck, ctx, params());
    expect(second.status).toBe('OK');
    expect(second.summary).toMatch(/, in [\d.]+ out [\d.]+ Mbit\/s over \d+/);
    const lo1 = iface(first, 'lo') as Fields;
    const lo2 = iface(second, 'lo') as Fields;
    expect(Number(lo2.in_octets)).toBeGreaterThan(Number(lo1.in_octets));
    expect(lo2.in_bps).toBe(Math.round(((Number(lo2.in_octets) - Number(lo1.in_octets)) * 8) / 10));
    expect(lo2.errors_per_sec).toBe(0);
  });

  test('an interface that is admin up but has no link is CRITICAL; an admin-down one is not judged', async () => {
    // A veth pair on this machine: one end up, its peer down, so the up end has no carrier (lowerLayerDown).
    const ip = ensureDebianPackage('iproute2', '/usr/sbin/ip');
    const [a, b] = [`pt${process.pid % 100000}a`, `pt${process.pid % 100000}b`];
    execFileSync(ip, ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    try {
      execFileSync(ip, ['link', 'set', a, 'up']);
      const only = { ...params(), interfaces: [`^${a}$`, `^${b}$`] };
      // snmpd caches its interface table for a few seconds.
      const down = await waitFor(async () => {
        const out = await runCheck(snmpCheck, testCheckContext(), only);
        return iface(out, a)?.admin_up === true ? out : undefined;
      }, 'snmpd to list the veth pair', 30_000, 500);
      expect(down.status).toBe('CRITICAL');
      expect(down.summary).toMatch(new RegExp(`^${a} is (lowerLayerDown|down) \\(admin up\\)$`));
      expect(iface(down, b)).toMatchObject({ admin_up: false, oper_up: false });
      expect(down.metrics?.[0].fields.interfaces_down).toBe(1);

      execFileSync(ip, ['link', 'set', b, 'up']);
      const up = await waitFor(async () => {
        const out = await runCheck(snmpCheck, testCheckContext(), only);
        return iface(out, b)?.oper_up === true && iface(out, a)?.oper_up === true ? out : undefined;
      }, 'snmpd to see the veth pair up', 30_000, 500);
      expect(up.status).toBe('OK');
      expect(up.summary).toMatch(/ 2 interfaces \(2 up, 0 admin down\)/);
    } finally {
      execFileSync(ip, ['link', 'del', a]);
    }
  });

  test('interfaces can be filtered by name', async () => {
    const out = await runCheck(snmpCheck, testCheckContext(), { ...params(), interfaces: ['^lo$'] });
    expect(out.metrics?.filter((m) => m.measurement === 'snmp_interface').map((m) => m.tags?.ifname)).toEqual(['lo']);
    const none = await runCheck(snmpCheck, testCheckContext(), { ...params(), interfaces: ['^no-such-if$'] });
    expect(none).toMatchObject({ status: 'UNKNOWN', summary: 'no interface matches ^no-such-if$' });
  });

  test('uptime lower than at the last run is a restart: WARNING "device restarted" for a while', async () => {
    const clock = testClock();
    const state = memoryState();
    const ctx = testCheckContext({ clock, state });
    await runCheck(snmpCheck, ctx, params());
    // As if the last poll had seen a device up for far longer than it is now.
    const snap = state.get<{ uptimeTicks: number }>('snapshot');
    state.set('snapshot', { ...snap, uptimeTicks: (snap?.uptimeTicks ?? 0) + 100 * 86400 * 30 });
    clock.advance(60_000);
    const out = await runCheck(snmpCheck, ctx, params());
    expect(out.status).toBe('WARNING');
    expect(out.summary).toMatch(/^device restarted \(up /);
    expect(out.metrics?.[0].fields.restarted).toBe(true);
    clock.advance(10 * 60_000);
    expect((await runCheck(snmpCheck, ctx, params())).status).toBe('WARNING');
    clock.advance(30 * 60_000);
    expect((await runCheck(snmpCheck, ctx, params())).status).toBe('OK');
  });

  test('a wrong community gets no answer, and says so', async () => {
    const out = await runCheck(snmpCheck, testCheckContext(), { ...params(), community: 'not-public', timeoutMs: 300, retries: 0 });
    expect(out).toMatchObject({ status: 'CRITICAL', summary: `no SNMP answer from 127.0.0.1:${agent.port} (wrong community or host down)` });
  });
});

describe('counter arithmetic (hand-made values)', () => {
  test('a counter that grew gives the growth', () => {
    expect(counterDelta(1000n, 5000n, 32)).toBe(4000n);
    expect(counterDelta(0n, 0n, 64)).toBe(0n);
  });

  test('a 32-bit counter that wrapped gives the growth across the wrap', () => {
    expect(counterDelta(4_294_967_000n, 200n, 32)).toBe(496n);
  });

  test('a 64-bit counter that wrapped gives the growth across the wrap, exactly', () => {
    const max = (1n << 64n) - 1n;
    expect(counterDelta(max - 99n, 50n, 64)).toBe(150n);
  });

  test('a 64-bit counter past 2^53 keeps its low digits', () => {
    const big = 2n ** 60n + 7n;
    expect(counterDelta(big, big + 3n, 64)).toBe(3n);
  });

  test('a "wrap" larger than the link could carry is a reset: no figure', () => {
    // 1 Gbit/s for 60 s carries at most 7.5e9 bytes; a 32-bit wrap from 4e9 to 10 is 294,967,306 bytes: plausible.
    expect(counterDelta(4_000_000_000n, 10n, 32, 7.5e9 * 1.5)).toBe(294_967_306n);
    // A 64-bit "wrap" from 5e9 to 10 would be 1.8e19 bytes: a counter reset, not traffic.
    expect(counterDelta(5_000_000_000n, 10n, 64, 7.5e9 * 1.5)).toBeNull();
  });

  test('uptime: a drop is a restart, the 497-day TimeTicks wrap is not', () => {
    expect(deviceRestarted(500_000, 1_000, 60_000)).toBe(true);
    expect(deviceRestarted(1_000, 7_000, 60_000)).toBe(false);
    // 2^32 - 3000 ticks, then 60 s (6000 ticks) later: 3000 ticks past the wrap.
    expect(deviceRestarted(2 ** 32 - 3000, 3000, 60_000)).toBe(false);
    // Past the wrap point but far from where the wrap would land: a restart.
    expect(deviceRestarted(2 ** 32 - 3000, 900_000, 60_000)).toBe(true);
  });
});
