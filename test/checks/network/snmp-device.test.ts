import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { Session } from 'snmp-native';
import snmpCheck, { counterDelta, deviceRestarted } from '../../../checks/network/snmp-device.js';
import { followLinks, linkKeys, type LinkMemory } from '../../../checks/network/snmp-links.js';
import type { CheckOutcome } from '../../../checks/define.js';
import { memoryState, runCheck, testCheckContext, testClock } from '../../helpers/check-context.js';
import { startSnmpd, type RunningSnmpd } from '../../helpers/snmpd.js';
import { withStableInterfaces } from '../../helpers/host-interfaces.js';
import { waitFor } from '../../helpers/ports.js';
import { startSnmpRelay, type SnmpRelay, type SnmpRelayOptions } from './snmp-relay.js';
import { startIsolatedSnmpd, type IsolatedSnmpd } from './snmpd-netns.js';

type Fields = Record<string, unknown>;

const iface = (out: CheckOutcome, name: string) => out.metrics?.find((m) => m.measurement === 'snmp_interface' && m.tags?.ifname === name)?.fields as Fields | undefined;
const ifaceNames = (out: CheckOutcome) => out.metrics?.filter((m) => m.measurement === 'snmp_interface').map((m) => m.tags?.ifname);
/** What a veth whose peer is down shows as ifOperStatus (the kernel says "down" or "lowerLayerDown"). */
const NO_LINK = /^(down|lowerLayerDown)$/;
const device = (out: CheckOutcome) => (out.metrics?.[0].fields ?? {}) as Fields;

describe('network.snmp against a real snmpd showing this machine', () => {
  let agent: RunningSnmpd;
  const relays: SnmpRelay[] = [];
  const params = () => ({ host: agent.host, port: agent.port, community: agent.community });
  const through = async (opts: SnmpRelayOptions = {}) => {
    const relay = await startSnmpRelay(agent, opts);
    relays.push(relay);
    return { relay, params: { host: relay.host, port: relay.port, community: agent.community } };
  };

  beforeAll(async () => {
    agent = await startSnmpd();
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.close()));
    await agent?.stop();
  });

  test("this machine's interfaces: lo is up, and the second run gives rates", async () => {
    const clock = testClock();
    const ctx = testCheckContext({ clock, state: memoryState() });
    const { result: first, stable } = await withStableInterfaces(() => runCheck(snmpCheck, ctx, params()));
    expect(first.status).toBe('OK');
    // The uptime reads "5h 12m" or, once the machine has been up a day, "1d 0h".
    expect(first.summary).toMatch(/^\S+ up (\d+d \d+h|\d+h \d+m), \d+ interfaces \(\d+ up, \d+ admin down(, \d+ never up)?\) \(rates from the next run\), (CPU \d+%, )?memory \d+%$/);
    const listed = new Set(ifaceNames(first));
    expect(stable.filter((i) => !listed.has(i))).toEqual([]);
    expect(iface(first, 'lo')).toMatchObject({ admin_up: true, oper_up: true, oper_status: 'up', link_lost: false, counter_bits: 64 });
    expect(iface(first, 'lo')).not.toHaveProperty('in_bps');
    expect(device(first)).toMatchObject({ up: 1, uptime_source: 'hrSystemUptime', restarted: false, links_lost: 0 });
    // hrSystemUptime is the host's uptime: compare with the kernel's own figure.
    const hostUptimeSec = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    expect(Math.abs(Number(device(first).uptime_sec) - hostUptimeSec)).toBeLessThan(5);
    // net-snmp gives hrProcessorLoad only after its first minute of samples: until then CPU is skipped, not 0.
    if ('cpu_load_pct' in device(first)) expect(Number(device(first).cpu_load_pct)).toBeLessThanOrEqual(100);
    else expect(first.summary).not.toContain('CPU');
    const memTotalKb = Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    expect(device(first).mem_total_bytes).toBe(memTotalKb * 1024);
    expect(Number(device(first).mem_used_bytes)).toBeLessThan(memTotalKb * 1024);

    // Traffic on lo between the two polls (the polls' own packets are enough). snmpd caches its interface table
    // for a few seconds, so wait, with a separate context, until it shows the growth; the rate itself comes
    // from the injected 10 seconds.
    const loBefore = Number(iface(first, 'lo')?.in_octets);
    await waitFor(async () => {
      const probe = await runCheck(snmpCheck, testCheckContext(), { ...params(), interfaces: ['^lo$'] });
      return Number(iface(probe, 'lo')?.in_octets) > loBefore;
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

  test('a poll asks for the columns it uses in a few packets: no GetNext per value', async () => {
    const { relay, params: viaRelay } = await through();
    const out = await runCheck(snmpCheck, testCheckContext(), viaRelay);
    expect(out.status).toBe('OK');
    const interfaces = ifaceNames(out)?.length ?? 0;
    expect(interfaces).toBeGreaterThan(0);
    // Walking ifTable and ifXTable with GetNext cost ~40 requests per interface (231 for this machine's 4).
    expect(relay.requests.getNext).toBe(0);
    expect(relay.requests.total).toBeLessThanOrEqual(8 + interfaces);
    // Every answer fits one unfragmented datagram.
    expect(relay.largestAnswerBytes).toBeLessThanOrEqual(1472);
  });

  test('an agent that refuses GetBulk is walked with GetNext, with the same figures', async () => {
    const { relay, params: viaRelay } = await through({ refuseBulk: true });
    const direct = await runCheck(snmpCheck, testCheckContext(), params());
    const refused = await runCheck(snmpCheck, testCheckContext(), viaRelay);
    expect(refused.status).toBe('OK');
    expect(relay.requests.getBulk).toBeGreaterThan(0);
    expect(relay.requests.getNext).toBeGreaterThan(0);
    expect(ifaceNames(refused)).toEqual(ifaceNames(direct));
    for (const name of ifaceNames(direct) ?? []) {
      expect(iface(refused, name ?? '')).toMatchObject({ admin_up: iface(direct, name ?? '')?.admin_up, oper_status: iface(direct, name ?? '')?.oper_status, counter_bits: 64 });
    }
    expect(device(refused).mem_total_bytes).toBe(device(direct).mem_total_bytes);
  });

  test('a device with a small message size answers tooBig: the poll asks in smaller packets and gets every figure', async () => {
    const { relay, params: viaRelay } = await through({ maxVarbinds: 3 });
    const direct = await runCheck(snmpCheck, testCheckContext(), params());
    const small = await runCheck(snmpCheck, testCheckContext(), viaRelay);
    expect(small.status).toBe('OK');
    expect(ifaceNames(small)).toEqual(ifaceNames(direct));
    expect(iface(small, 'lo')).toMatchObject({ oper_status: 'up', counter_bits: 64 });
    expect(device(small).mem_total_bytes).toBe(device(direct).mem_total_bytes);
    expect(relay.requests.getNext).toBe(0);
  });

  test('interfaces can be filtered by name, and only those are asked for', async () => {
    const { relay, params: viaRelay } = await through();
    const out = await runCheck(snmpCheck, testCheckContext(), { ...viaRelay, interfaces: ['^lo$'] });
    expect(ifaceNames(out)).toEqual(['lo']);
    const loOids = relay.requests.varbinds;
    relay.reset();
    const all = await runCheck(snmpCheck, testCheckContext(), viaRelay);
    // Every row's names are read to pick the rows; the values (7 ifTable and 3 ifXTable columns) only of lo.
    const rows = ifaceNames(all)?.length ?? 0;
    expect(relay.requests.varbinds - loOids).toBe(10 * (rows - 1));
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
    expect(device(out).restarted).toBe(true);
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

describe('links of a switch (a real snmpd in a network namespace of its own, veth pairs)', () => {
  let sw: IsolatedSnmpd;
  const params = () => ({ host: sw.host, port: sw.port, community: sw.community });
  /** snmpd caches its interface table for a few seconds: poll with a throwaway context until it shows `ready`. */
  const untilSnmpdShows = (names: string[], ready: (out: CheckOutcome) => boolean, what: string) =>
    waitFor(async () => ready(await runCheck(snmpCheck, testCheckContext(), { ...params(), interfaces: names.map((n) => `^${n}$`) })), what, 30_000, 500);

  beforeAll(async () => {
    sw = await startIsolatedSnmpd();
  });
  afterAll(async () => {
    await sw?.stop();
  });

  test('a port that never had a link is shown, not judged; a link that breaks is a WARNING until it is back', async () => {
    // pa's peer pb is admin down, so pa (admin up) has no carrier: an access port with nothing plugged in.
    sw.ip('link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb');
    sw.ip('link', 'set', 'pa', 'up');
    const clock = testClock();
    const state = memoryState();
    const ctx = testCheckContext({ clock, state });
    const only = { ...params(), interfaces: ['^pa$', '^pb$'] };
    const poll = async () => {
      clock.advance(60_000);
      return runCheck(snmpCheck, ctx, only);
    };
    await untilSnmpdShows(['pa'], (o) => iface(o, 'pa')?.admin_up === true, 'snmpd to list pa admin up');

    const empty = await poll();
    expect(empty.status).toBe('OK');
    expect(empty.summary).toMatch(/ 2 interfaces \(0 up, 1 admin down, 1 never up\)/);
    // No carrier: "down" or "lowerLayerDown", as the kernel and snmpd's version have it.
    expect(iface(empty, 'pa')).toMatchObject({ admin_up: true, oper_up: false, oper_status: expect.stringMatching(NO_LINK), link_lost: false });
    expect(device(empty)).toMatchObject({ interfaces_down: 1, links_lost: 0 });
    expect(state.get<Record<string, LinkMemory>>('links')?.pa).toMatchObject({ operStatus: expect.any(Number), upSeen: false });

    sw.ip('link', 'set', 'pb', 'up');
    await untilSnmpdShows(['pa', 'pb'], (o) => iface(o, 'pa')?.oper_up === true && iface(o, 'pb')?.oper_up === true, 'snmpd to see the pair up');
    const plugged = await poll();
    expect(plugged.status).toBe('OK');
    expect(plugged.summary).toMatch(/ 2 interfaces \(2 up, 0 admin down\)/);

    sw.ip('link', 'set', 'pb', 'down');
    await untilSnmpdShows(['pa'], (o) => iface(o, 'pa')?.oper_up === false, 'snmpd to see pa lose its link');
    const broken = await poll();
    expect(broken.status).toBe('WARNING');
    expect(broken.summary).toMatch(/^pa is (lowerLayerDown|down) \(link lost since the last poll\)$/);
    expect(iface(broken, 'pa')).toMatchObject({ oper_status: expect.stringMatching(NO_LINK), link_lost: true });
    // pb was shut (admin down): not judged.
    expect(iface(broken, 'pb')).toMatchObject({ admin_up: false, link_lost: false });
    expect(device(broken)).toMatchObject({ interfaces_down: 1, links_lost: 1 });
    // Where a broken link should page: linkLostStatus CRITICAL (same memory, copied).
    const strict = await runCheck(snmpCheck, testCheckContext({ clock, state: memoryState(new Map(state.store)) }), { ...only, linkLostStatus: 'CRITICAL' });
    expect(strict.status).toBe('CRITICAL');

    // It does not turn green by itself: the ticket stays open until the link is back.
    clock.advance(4 * 60_000);
    const stillBroken = await poll();
    expect(stillBroken.status).toBe('WARNING');
    expect(stillBroken.summary).toMatch(/^pa is (lowerLayerDown|down) \(link lost 0h 5m ago\)$/);

    sw.ip('link', 'set', 'pb', 'up');
    await untilSnmpdShows(['pa'], (o) => iface(o, 'pa')?.oper_up === true, 'snmpd to see pa up again');
    const back = await poll();
    expect(back.status).toBe('OK');
    expect(iface(back, 'pa')).toMatchObject({ oper_up: true, link_lost: false });
    expect(state.get<Record<string, LinkMemory>>('links')?.pa).toEqual({ operStatus: 1, upSeen: true });
  });

  test('a port shut by an engineer is forgotten: enabled again with nothing plugged in, it is not a broken link', async () => {
    sw.ip('link', 'add', 'sa', 'type', 'veth', 'peer', 'name', 'sb');
    sw.ip('link', 'set', 'sa', 'up');
    sw.ip('link', 'set', 'sb', 'up');
    const clock = testClock();
    const ctx = testCheckContext({ clock, state: memoryState() });
    const only = { ...params(), interfaces: ['^sa$'] };
    await untilSnmpdShows(['sa'], (o) => iface(o, 'sa')?.oper_up === true, 'snmpd to see sa up');
    expect((await runCheck(snmpCheck, ctx, only)).status).toBe('OK');

    sw.ip('link', 'set', 'sa', 'down');
    await untilSnmpdShows(['sa'], (o) => iface(o, 'sa')?.admin_up === false, 'snmpd to see sa shut');
    clock.advance(60_000);
    expect((await runCheck(snmpCheck, ctx, only)).status).toBe('OK');

    sw.ip('link', 'set', 'sb', 'down');
    sw.ip('link', 'set', 'sa', 'up');
    await untilSnmpdShows(['sa'], (o) => iface(o, 'sa')?.admin_up === true && iface(o, 'sa')?.oper_up === false, 'snmpd to see sa enabled without link');
    clock.advance(60_000);
    const enabled = await runCheck(snmpCheck, ctx, only);
    expect(enabled.status).toBe('OK');
    expect(iface(enabled, 'sa')).toMatchObject({ admin_up: true, oper_up: false, link_lost: false });
  });

  test('an interface named critical (by name or ifAlias) is CRITICAL whenever it is not up, from the first poll', async () => {
    sw.ip('link', 'add', 'ca', 'type', 'veth', 'peer', 'name', 'cb');
    sw.ip('link', 'set', 'ca', 'up');
    await untilSnmpdShows(['ca'], (o) => iface(o, 'ca')?.admin_up === true, 'snmpd to list ca admin up');
    const only = { ...params(), interfaces: ['^ca$', '^cb$'] };
    const byName = await runCheck(snmpCheck, testCheckContext(), { ...only, criticalInterfaces: ['^ca$'] });
    expect(byName).toMatchObject({ status: 'CRITICAL', summary: expect.stringMatching(/^ca is (lowerLayerDown|down) \(critical interface\)$/) });
    const shut = await runCheck(snmpCheck, testCheckContext(), { ...only, criticalInterfaces: ['^cb$'] });
    expect(shut).toMatchObject({ status: 'CRITICAL', summary: 'cb is admin down (critical interface)' });
    const typo = await runCheck(snmpCheck, testCheckContext(), { ...only, criticalInterfaces: ['^uplnk$'] });
    expect(typo).toMatchObject({ status: 'UNKNOWN', summary: 'no interface matches criticalInterfaces ^uplnk$' });

    // An engineer marks the uplink in its description (ifAlias), as on a switch: "set ifAlias" over SNMP.
    await setIfAlias(sw, String(byName.metrics?.find((m) => m.tags?.ifname === 'ca')?.tags?.ifindex), 'Uplink to core-1');
    const byAlias = await waitFor(async () => {
      const out = await runCheck(snmpCheck, testCheckContext(), { ...only, criticalInterfaces: ['^Uplink'] });
      return out.status !== 'UNKNOWN' ? out : undefined;
    }, 'snmpd to show the new ifAlias', 30_000, 500);
    expect(byAlias).toMatchObject({ status: 'CRITICAL', summary: expect.stringMatching(/^ca is (lowerLayerDown|down) \(critical interface\)$/) });

    sw.ip('link', 'set', 'cb', 'up');
    await untilSnmpdShows(['ca', 'cb'], (o) => iface(o, 'ca')?.oper_up === true && iface(o, 'cb')?.oper_up === true, 'snmpd to see the pair up');
    expect((await runCheck(snmpCheck, testCheckContext(), { ...only, criticalInterfaces: ['^Uplink', '^cb$'] })).status).toBe('OK');
  });

  test('a 100-port switch is polled in fewer requests than it has interfaces (was ~40 per interface)', async () => {
    sw.addVethPairs(50);
    const relay = await startSnmpRelay(sw);
    try {
      await untilSnmpdShows(['va50'], (o) => iface(o, 'va50')?.oper_up === true, 'snmpd to list 100 more interfaces');
      relay.reset();
      const out = await runCheck(snmpCheck, testCheckContext(), { host: relay.host, port: relay.port, community: sw.community, excludeInterfaces: ['^[psc][ab]$'] });
      const interfaces = ifaceNames(out)?.length ?? 0;
      expect(interfaces).toBe(101);
      expect(out.status).toBe('OK');
      expect(relay.requests.getNext).toBe(0);
      // Measured: 92 requests (7 GetBulk, 85 GET) for these 101 interfaces, where the GetNext walk took 4,111.
      expect(relay.requests.total).toBeLessThan(interfaces);
    } finally {
      await relay.close();
    }
  });
});

describe('link memory between polls (hand-made polls)', () => {
  const poll = (prev: Record<string, LinkMemory> | undefined, operStatus: number, now: number, adminUp = true) =>
    followLinks(prev, [{ key: 'Gi0/1', adminUp, operStatus }], now);

  test('up, then down: lost from that poll on, with the time it was first seen down, until it is up again', () => {
    const up = poll(undefined, 1, 1000);
    expect(up.verdicts.get('Gi0/1')).toEqual({ noLink: false, lost: false });
    const down = poll(up.memory, 2, 2000);
    expect(down.verdicts.get('Gi0/1')).toEqual({ noLink: true, lost: true, lostAt: 2000 });
    const stillDown = poll(down.memory, 7, 3000);
    expect(stillDown.verdicts.get('Gi0/1')).toEqual({ noLink: true, lost: true, lostAt: 2000 });
    const back = poll(stillDown.memory, 1, 4000);
    expect(back.verdicts.get('Gi0/1')).toEqual({ noLink: false, lost: false });
    expect(back.memory['Gi0/1']).toEqual({ operStatus: 1, upSeen: true });
  });

  test('down from the first poll (an empty port): no link, not lost', () => {
    const first = poll(undefined, 2, 1000);
    expect(first.verdicts.get('Gi0/1')).toEqual({ noLink: true, lost: false });
    expect(poll(first.memory, 2, 2000).verdicts.get('Gi0/1')).toEqual({ noLink: true, lost: false });
  });

  test('a module pulled (notPresent) after the port was up is a lost link', () => {
    expect(poll(poll(undefined, 1, 1000).memory, 6, 2000).verdicts.get('Gi0/1')).toMatchObject({ lost: true });
  });

  test('admin down forgets the link; dormant or testing keeps what was known', () => {
    const up = poll(undefined, 1, 1000);
    const shut = poll(up.memory, 2, 2000, false);
    expect(shut.verdicts.get('Gi0/1')).toEqual({ noLink: false, lost: false });
    expect(poll(shut.memory, 2, 3000).verdicts.get('Gi0/1')).toMatchObject({ lost: false });
    const dormant = poll(up.memory, 5, 2000);
    expect(dormant.verdicts.get('Gi0/1')).toEqual({ noLink: false, lost: false });
    expect(poll(dormant.memory, 2, 3000).verdicts.get('Gi0/1')).toMatchObject({ lost: true });
  });

  test('an interface gone from the table is forgotten', () => {
    const up = poll(undefined, 1, 1000);
    const gone = followLinks(up.memory, [], 2000);
    expect(gone.memory).toEqual({});
    expect(poll(gone.memory, 2, 3000).verdicts.get('Gi0/1')).toMatchObject({ lost: false });
  });

  test('interfaces are remembered by name; a duplicate name gets its ifIndex', () => {
    expect(linkKeys([{ index: '1', name: 'eth0' }, { index: '7', name: 'eth0' }, { index: '9', name: 'Gi0/1' }])).toEqual(
      new Map([['1', 'eth0'], ['7', 'eth0#7'], ['9', 'Gi0/1']]),
    );
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

/** SET ifAlias.<index> with the write community, as `snmpset` or a switch's CLI would. */
function setIfAlias(sw: IsolatedSnmpd, index: string, alias: string): Promise<void> {
  const session = new Session({ host: sw.host, port: sw.port, community: sw.writeCommunity, timeouts: [2000] });
  return new Promise<void>((resolve, reject) =>
    session.set({ oid: `.1.3.6.1.2.1.31.1.1.1.18.${index}`, type: 4, value: alias }, (err) => {
      session.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}
