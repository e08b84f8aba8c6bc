import { z } from 'zod';
import type { EventEmitter } from 'node:events';
import type * as snmp from 'snmp-native';
import { defineCheck, type CheckOutcome } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import { followLinks, linkKeys, type LinkMemory } from './snmp-links.js';
import { getMany, walkColumn } from './snmp-walk.js';
import type { FieldsOf } from '../metric-declaration.js';
import { SNMP_DEVICE } from './metrics.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import { part, say } from './messages.js';

/** ASN.1 type tag of Counter64 (snmp-native's DataTypes.Counter64), kept here so the module loads lazily. */
const COUNTER64 = 0x46;

/** Numeric OIDs: devices and pollers rarely have MIB files, and names would need them. */
const OID = {
  sysDescr: '.1.3.6.1.2.1.1.1.0',
  sysUpTime: '.1.3.6.1.2.1.1.3.0',
  sysName: '.1.3.6.1.2.1.1.5.0',
  /** HOST-RESOURCES-MIB: the host's uptime, where sysUpTime is only the SNMP agent's. */
  hrSystemUptime: '.1.3.6.1.2.1.25.1.1.0',
  ifTable: '.1.3.6.1.2.1.2.2.1',
  ifXTable: '.1.3.6.1.2.1.31.1.1.1',
  hrProcessorLoad: '.1.3.6.1.2.1.25.3.3.1.2',
  hrStorageTable: '.1.3.6.1.2.1.25.2.3.1',
};
/** Columns of ifTable (IF-MIB) and ifXTable. */
const IF = { index: 1, descr: 2, speed: 5, adminStatus: 7, operStatus: 8, inOctets: 10, inDiscards: 13, inErrors: 14, outOctets: 16, outDiscards: 19, outErrors: 20 };
const IFX = { name: 1, hcInOctets: 6, hcOutOctets: 10, highSpeed: 15, alias: 18 };
const HR_STORAGE = { type: 2, descr: 3, units: 4, size: 5, used: 6 };
const HR_STORAGE_RAM = '1.3.6.1.2.1.25.2.1.2';
/** hrStorageOther: net-snmp lists "Memory buffers" and "Cached memory" with this type. */
const HR_STORAGE_OTHER = '1.3.6.1.2.1.25.2.1.1';
const OPER_STATUS = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'];
/** Lost links named one by one in the summary; more are counted there and listed in the details. */
const LOST_LINKS_NAMED = 5;
/** TimeTicks (and so sysUpTime) are 32-bit hundredths of a second: they wrap after about 497 days. */
const TICKS_WRAP = 2 ** 32;

const RegexList = z.array(z.string().refine((s) => isRegex(s), 'a valid regular expression'));

const Params = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(161),
  community: z.string().min(1).default('public'),
  /** Per request; a wrong community gets no answer at all, so this is also how long that takes to see. */
  timeoutMs: z.number().int().positive().default(2000),
  retries: z.number().int().min(0).max(5).default(1),
  /** Only interfaces whose ifName or ifDescr matches one of these (all when empty). */
  interfaces: RegexList.default([]),
  excludeInterfaces: RegexList.default([]),
  /** Errors + discards per second on one interface. */
  warnErrorsPerSec: z.number().nonnegative().default(1),
  critErrorsPerSec: z.number().nonnegative().default(10),
  cpuWarnPct: z.number().min(0).max(100).default(80),
  cpuCritPct: z.number().min(0).max(100).default(95),
  memWarnPct: z.number().min(0).max(100).default(90),
  memCritPct: z.number().min(0).max(100).default(95),
  /** How long a restart stays a WARNING after it is seen, so that a ticket rule with openAfter > 1 sees it. */
  rebootWarnMinutes: z.number().nonnegative().default(30),
  /**
   * Interfaces that must be up (uplinks, server and firewall ports): regexes on ifName, ifDescr or ifAlias.
   * One of them not up is CRITICAL on every poll, also when it was never seen up or is admin down.
   */
  criticalInterfaces: RegexList.default([]),
  /**
   * What another interface is when its link broke (up at an earlier poll, down now, until it is back). WARNING
   * by default: on an access switch a port goes down whenever the PC on it is switched off.
   */
  linkLostStatus: z.enum(['WARNING', 'CRITICAL']).default('WARNING'),
});
type SnmpParams = z.infer<typeof Params>;

/** What one run remembers for the next (JSON-safe: counters as decimal strings, they exceed 2^53). */
interface DeviceSnapshot {
  at: number;
  uptimeTicks: number;
  ifaces: Record<string, { name: string; bits: 32 | 64; inOctets: string; outOctets: string; errors: string; discards: string }>;
}

/** The names of one ifTable row, which decide whether the check watches it. */
export interface InterfaceNames {
  index: string;
  name: string;
  descr: string;
  alias: string;
}

export interface InterfaceRow extends InterfaceNames {
  adminUp: boolean;
  operStatus: number;
  speedBps: number;
  bits: 32 | 64;
  inOctets: bigint;
  outOctets: bigint;
  errors: bigint;
  discards: bigint;
}

/**
 * A network device (switch, router, firewall, UPS, or any host with an SNMP agent) through SNMP v2c: uptime and
 * restarts, per-interface status, bits per second from counters between runs (with 32- and 64-bit wrap), errors
 * and discards, and CPU and memory through HOST-RESOURCES-MIB where the device has it.
 */
export default defineCheck({
  id: 'network.snmp',
  title: { en: 'SNMP network device', zh: 'SNMP 网络设备' },
  params: Params,
  async run(ctx, p) {
    const where = `${p.host}:${p.port}`;
    // Loaded on first use: a driver costs the agent memory only where this check is assigned.
    const { Session } = await import('snmp-native');
    const session = new Session({
      host: p.host,
      port: p.port,
      community: p.community,
      family: p.host.includes(':') ? 'udp6' : 'udp4',
      timeouts: Array.from({ length: p.retries + 1 }, () => p.timeoutMs),
    });
    const onAbort = () => session.close();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    // snmp-native emits an answer it cannot decode as an 'error' event; with no listener that would throw out of
    // the socket handler and end the process. Logged here; the request then times out like a lost packet.
    (session as unknown as EventEmitter).on('error', (err: Error) => ctx.log.warn({ err, device: where }, 'undecodable SNMP answer'));
    try {
      let scalars: Map<string, snmp.VarBind>;
      try {
        scalars = await getMany(session, [OID.sysDescr, OID.sysUpTime, OID.sysName, OID.hrSystemUptime]);
      } catch (err) {
        if (ctx.signal.aborted) return { status: 'UNKNOWN', ...say('network.snmp.aborted', { where }) };
        if (/timeout/i.test((err as Error).message)) {
          return { status: 'CRITICAL', ...say('network.snmp.noAnswer', { where }), metrics: [{ measurement: SNMP_DEVICE.name, tags: { device: p.host }, fields: { up: 0 } }] };
        }
        return { status: 'CRITICAL', ...say('network.snmp.failed', { where, error: (err as Error).message }) };
      }
      const sysUp = scalars.get(OID.sysUpTime);
      if (!sysUp) return { status: 'UNKNOWN', ...say('network.snmp.noUptime', { where }) };
      const hrUp = scalars.get(OID.hrSystemUptime);
      const uptimeTicks = Number((hrUp ?? sysUp).value);
      const include = p.interfaces.map((s) => new RegExp(s));
      const exclude = p.excludeInterfaces.map((s) => new RegExp(s));
      const watched = (i: InterfaceNames) => (include.length === 0 || nameMatches(i, include)) && !nameMatches(i, exclude);
      const interfaces = await readInterfaces(session, watched);
      // HOST-RESOURCES-MIB is optional on network gear: an empty walk means "not there", never an error.
      const cpuLoads = (await walkColumn(session, OID.hrProcessorLoad)).map((v) => Number(v.value));
      const ram = await readRam(session);
      return judge(ctx.now(), p, {
        sysName: String(scalars.get(OID.sysName)?.value ?? p.host),
        uptimeTicks,
        uptimeSource: hrUp ? 'hrSystemUptime' : 'sysUpTime',
        interfaces,
        cpuLoads,
        ram,
      }, ctx.state);
    } catch (err) {
      if (ctx.signal.aborted) return { status: 'UNKNOWN', ...say('network.snmp.aborted', { where }) };
      if (/timeout/i.test((err as Error).message)) return { status: 'CRITICAL', ...say('network.snmp.stopped', { where }) };
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      session.close();
    }
  },
});

interface DevicePoll {
  sysName: string;
  uptimeTicks: number;
  uptimeSource: 'hrSystemUptime' | 'sysUpTime';
  interfaces: InterfaceRow[];
  cpuLoads: number[];
  ram: { totalBytes: number; usedBytes: number } | null;
}

function judge(now: number, p: SnmpParams, poll: DevicePoll, state: { get<T>(k: string): T | undefined; set(k: string, v: unknown): void }): CheckOutcome {
  const statuses: Status[] = [];
  const problems: CheckMessagePart[] = [];
  const prev = state.get<DeviceSnapshot>('snapshot');
  const restarted = prev !== undefined && deviceRestarted(prev.uptimeTicks, poll.uptimeTicks, now - prev.at);
  if (restarted) state.set('restartSeenAt', now);
  const restartSeenAt = state.get<number>('restartSeenAt');
  const uptimeSec = poll.uptimeTicks / 100;
  if (restartSeenAt !== undefined && now - restartSeenAt <= p.rebootWarnMinutes * 60_000) {
    statuses.push('WARNING');
    problems.push(part('network.snmp.restarted', { uptimeSec }));
  }

  // The poll read only the watched interfaces (`interfaces`, `excludeInterfaces`).
  const ifaces = poll.interfaces;
  if (p.interfaces.length > 0 && ifaces.length === 0) {
    statuses.push('UNKNOWN');
    problems.push(part('network.snmp.noInterface', { patterns: p.interfaces.join(', ') }));
  }
  const critical = p.criticalInterfaces.map((s) => new RegExp(s));
  const namedCritical = (i: InterfaceNames, r: RegExp) => r.test(i.name) || r.test(i.descr) || r.test(i.alias);
  const isCritical = (i: InterfaceNames) => critical.some((r) => namedCritical(i, r));
  // A pattern that names nothing is a typo or an interface gone from the table: either way the check cannot judge it.
  const missingCritical = critical.filter((r) => !ifaces.some((i) => namedCritical(i, r))).map((r) => r.source);
  if (missingCritical.length > 0) {
    statuses.push('UNKNOWN');
    problems.push(part('network.snmp.noCritical', { patterns: missingCritical.join(', ') }));
  }
  const keys = linkKeys(ifaces);
  const links = followLinks(
    state.get<Record<string, LinkMemory>>('links'),
    ifaces.map((i) => ({ key: keys.get(i.index) ?? i.name, adminUp: i.adminUp, operStatus: i.operStatus })),
    now,
  );
  state.set('links', links.memory);
  const elapsedSec = prev ? (now - prev.at) / 1000 : 0;
  const metrics: NonNullable<CheckOutcome['metrics']> = [];
  let totalIn = 0;
  let totalOut = 0;
  let withRates = 0;
  let down = 0;
  let lost = 0;
  const lostLinks: Array<{ name: string; part: CheckMessagePart }> = [];
  for (const i of ifaces) {
    const link = links.verdicts.get(keys.get(i.index) ?? i.name) ?? { noLink: false, lost: false };
    const operName = OPER_STATUS[i.operStatus] ?? String(i.operStatus);
    const fields: Record<string, number | string | boolean> = {
      admin_up: i.adminUp,
      oper_up: i.operStatus === 1,
      oper_status: operName,
      link_lost: link.lost,
      in_octets: Number(i.inOctets),
      out_octets: Number(i.outOctets),
      errors: Number(i.errors),
      discards: Number(i.discards),
      counter_bits: i.bits,
    };
    if (i.speedBps > 0) fields.speed_bps = i.speedBps;
    if (link.noLink) down += 1;
    if (link.lost) lost += 1;
    if (isCritical(i) && i.operStatus !== 1) {
      statuses.push('CRITICAL');
      problems.push(part('network.snmp.criticalDown', { name: i.name, state: i.adminUp ? operName : 'admin down' }));
    } else if (link.lost && link.lostAt !== undefined) {
      statuses.push(p.linkLostStatus);
      const lost = link.lostAt >= now ? part('network.snmp.linkLostNow', { name: i.name, state: operName }) : part('network.snmp.linkLost', { name: i.name, state: operName, agoSec: (now - link.lostAt) / 1000 });
      lostLinks.push({ name: i.name, part: lost });
    }
    const before = prev?.ifaces[i.index];
    // After a restart every counter began again from 0: a "wrap" would be a made-up figure.
    if (before && before.name === i.name && elapsedSec > 0 && !restarted) {
      const maxOctets = i.speedBps > 0 ? (i.speedBps / 8) * elapsedSec * 1.5 : undefined;
      const inDelta = before.bits === i.bits ? counterDelta(BigInt(before.inOctets), i.inOctets, i.bits, maxOctets) : null;
      const outDelta = before.bits === i.bits ? counterDelta(BigInt(before.outOctets), i.outOctets, i.bits, maxOctets) : null;
      if (inDelta !== null && outDelta !== null) {
        const inBps = (Number(inDelta) * 8) / elapsedSec;
        const outBps = (Number(outDelta) * 8) / elapsedSec;
        fields.in_bps = Math.round(inBps);
        fields.out_bps = Math.round(outBps);
        if (i.speedBps > 0) {
          fields.in_util_pct = round((100 * inBps) / i.speedBps);
          fields.out_util_pct = round((100 * outBps) / i.speedBps);
        }
        totalIn += inBps;
        totalOut += outBps;
        withRates += 1;
      }
      const errDelta = counterDelta(BigInt(before.errors), i.errors, 32);
      const discDelta = counterDelta(BigInt(before.discards), i.discards, 32);
      if (errDelta !== null && discDelta !== null) {
        const errPerSec = Number(errDelta) / elapsedSec;
        const discPerSec = Number(discDelta) / elapsedSec;
        fields.errors_per_sec = round(errPerSec);
        fields.discards_per_sec = round(discPerSec);
        const s = statusAbove(errPerSec + discPerSec, p.warnErrorsPerSec, p.critErrorsPerSec);
        statuses.push(s);
        if (s !== 'OK') problems.push(part('network.snmp.errors', { name: i.name, perSec: errPerSec + discPerSec }));
      }
    }
    metrics.push({ measurement: 'snmp_interface', tags: { device: p.host, ifname: i.name, ifindex: i.index }, fields });
  }
  // After a power cut in an office half the ports of a switch can go down at once: the summary names a few,
  // the details all of them.
  if (lostLinks.length > LOST_LINKS_NAMED) {
    problems.push(part('network.snmp.manyLost', { count: lostLinks.length, names: lostLinks.slice(0, LOST_LINKS_NAMED).map((l) => l.name).join(', '), more: lostLinks.length - LOST_LINKS_NAMED }));
  } else problems.push(...lostLinks.map((l) => l.part));
  state.set('snapshot', {
    at: now,
    uptimeTicks: poll.uptimeTicks,
    ifaces: Object.fromEntries(
      poll.interfaces.map((i) => [i.index, { name: i.name, bits: i.bits, inOctets: String(i.inOctets), outOctets: String(i.outOctets), errors: String(i.errors), discards: String(i.discards) }]),
    ),
  } satisfies DeviceSnapshot);

  const device: FieldsOf<typeof SNMP_DEVICE> = {
    up: 1,
    uptime_sec: Math.round(uptimeSec),
    uptime_source: poll.uptimeSource,
    restarted,
    interfaces: ifaces.length,
    interfaces_down: down,
    links_lost: lost,
  };
  let cpuPct: number | undefined;
  let memPct: number | undefined;
  if (poll.cpuLoads.length > 0) {
    const cpu = poll.cpuLoads.reduce((a, b) => a + b, 0) / poll.cpuLoads.length;
    device.cpu_load_pct = round(cpu);
    device.cpu_count = poll.cpuLoads.length;
    const s = statusAbove(cpu, p.cpuWarnPct, p.cpuCritPct);
    statuses.push(s);
    if (s !== 'OK') problems.push(part('network.snmp.cpu', { pct: cpu }));
    cpuPct = cpu;
  }
  if (poll.ram && poll.ram.totalBytes > 0) {
    const pct = (100 * poll.ram.usedBytes) / poll.ram.totalBytes;
    Object.assign(device, { mem_total_bytes: poll.ram.totalBytes, mem_used_bytes: poll.ram.usedBytes, mem_used_pct: round(pct) });
    const s = statusAbove(pct, p.memWarnPct, p.memCritPct);
    statuses.push(s);
    if (s !== 'OK') problems.push(part('network.snmp.memory', { pct }));
    memPct = pct;
  }
  metrics.unshift({ measurement: SNMP_DEVICE.name, tags: { device: p.host }, fields: device });

  const upCount = ifaces.filter((i) => i.operStatus === 1).length;
  const adminDown = ifaces.filter((i) => !i.adminUp).length;
  // Admin up without link and never seen up: empty ports, shown but not judged.
  const neverUp = down - lost;
  const rated = prev && !restarted;
  const said = problems.length
    ? say('network.snmp.problems', {}, problems)
    : say('network.snmp.ok', {
        sysName: poll.sysName,
        uptimeSec,
        interfaces: ifaces.length,
        up: upCount,
        adminDown,
        neverUp: neverUp > 0 ? neverUp : undefined,
        firstRun: rated ? undefined : 1,
        // "over 0" when no interface gave rates this time: the figure still says so.
        withRates: rated ? withRates : undefined,
        inBps: rated ? totalIn : undefined,
        outBps: rated ? totalOut : undefined,
        cpuPct,
        memPct,
      });
  const details = lostLinks.length > LOST_LINKS_NAMED ? lostLinks.map((l) => say('network.snmp.problems', {}, [l.part]).summary).join('\n') : undefined;
  return { status: worstStatus(statuses), ...said, ...(details ? { details } : {}), metrics };
}

/**
 * Growth of a counter between two polls. A smaller value is a wrap of a `bits`-wide counter; when the
 * wrapped growth is bigger than the interface could carry (`maxDelta`), it was a reset (reboot, counter
 * clear), and null says "no figure this time" instead of a spike.
 */
export function counterDelta(prev: bigint, cur: bigint, bits: 32 | 64, maxDelta?: number): bigint | null {
  const delta = cur >= prev ? cur - prev : cur + (1n << BigInt(bits)) - prev;
  if (delta < 0n) return null;
  if (cur < prev && maxDelta !== undefined && Number(delta) > maxDelta) return null;
  return delta;
}

/**
 * True when uptime went down between polls. A TimeTicks value wraps after 497 days: a drop that lands where
 * the old value plus the elapsed time lands after the wrap is that wrap, not a restart.
 */
export function deviceRestarted(prevTicks: number, curTicks: number, elapsedMs: number): boolean {
  if (curTicks >= prevTicks) return false;
  const expected = prevTicks + elapsedMs / 10;
  if (expected < TICKS_WRAP) return true;
  // Polls do not land exactly on the elapsed time; a minute of slack (6000 ticks) covers the jitter.
  return Math.abs(curTicks - (expected - TICKS_WRAP)) > 6000 + elapsedMs / 100;
}

/**
 * The watched rows of ifTable and ifXTable, asked for by name instead of walking both tables (41 columns, one
 * GetNext per value): one GetBulk walk of ifIndex, a GET of each row's names (ifDescr, ifName, ifAlias), and
 * for the rows `watched` keeps a GET of the columns the check uses. The 32-bit octet counters are asked only
 * of rows without 64-bit HC counters.
 */
async function readInterfaces(session: snmp.Session, watched: (i: InterfaceNames) => boolean): Promise<InterfaceRow[]> {
  const indexDepth = oidDepth(OID.ifTable) + 1;
  const indexes = (await walkColumn(session, column(OID.ifTable, IF.index))).map((v) => v.oid.slice(indexDepth).join('.'));
  const ifCell = (c: number, index: string) => `${column(OID.ifTable, c)}.${index}`;
  const ifxCell = (c: number, index: string) => `${column(OID.ifXTable, c)}.${index}`;
  const names = await getMany(session, indexes.flatMap((ix) => [ifCell(IF.descr, ix), ifxCell(IFX.name, ix), ifxCell(IFX.alias, ix)]));
  // Old devices without ifXTable answer noSuchObject for every ifName: then its columns are not asked again.
  const hasIfX = indexes.some((ix) => names.has(ifxCell(IFX.name, ix)));
  const rows = indexes
    .map((index): InterfaceNames => {
      const descr = String(names.get(ifCell(IF.descr, index))?.value ?? '');
      return {
        index,
        name: String(names.get(ifxCell(IFX.name, index))?.value ?? '') || descr || `if${index}`,
        descr,
        alias: String(names.get(ifxCell(IFX.alias, index))?.value ?? ''),
      };
    })
    .filter(watched);
  const ifColumns = [IF.speed, IF.adminStatus, IF.operStatus, IF.inDiscards, IF.inErrors, IF.outDiscards, IF.outErrors];
  const ifxColumns = hasIfX ? [IFX.hcInOctets, IFX.hcOutOctets, IFX.highSpeed] : [];
  const values = await getMany(session, rows.flatMap((r) => [...ifColumns.map((c) => ifCell(c, r.index)), ...ifxColumns.map((c) => ifxCell(c, r.index))]));
  const hc = (index: string) => values.get(ifxCell(IFX.hcInOctets, index))?.type === COUNTER64 && values.has(ifxCell(IFX.hcOutOctets, index));
  const octets32 = await getMany(session, rows.filter((r) => !hc(r.index)).flatMap((r) => [ifCell(IF.inOctets, r.index), ifCell(IF.outOctets, r.index)]));
  return rows.map((r) => {
    const ifv = (c: number) => values.get(ifCell(c, r.index)) ?? octets32.get(ifCell(c, r.index));
    const ifxv = (c: number) => values.get(ifxCell(c, r.index));
    const highSpeed = Number(ifxv(IFX.highSpeed)?.value ?? 0);
    const bits = hc(r.index) ? 64 : 32;
    return {
      ...r,
      adminUp: Number(ifv(IF.adminStatus)?.value) === 1,
      operStatus: Number(ifv(IF.operStatus)?.value ?? 4),
      // ifSpeed is a 32-bit gauge that tops out at 4.29 Gbit/s; ifHighSpeed is in Mbit/s.
      speedBps: highSpeed > 0 ? highSpeed * 1_000_000 : Number(ifv(IF.speed)?.value ?? 0),
      bits,
      inOctets: counterValue(bits === 64 ? ifxv(IFX.hcInOctets) : ifv(IF.inOctets)),
      outOctets: counterValue(bits === 64 ? ifxv(IFX.hcOutOctets) : ifv(IF.outOctets)),
      errors: counterValue(ifv(IF.inErrors)) + counterValue(ifv(IF.outErrors)),
      discards: counterValue(ifv(IF.inDiscards)) + counterValue(ifv(IF.outDiscards)),
    };
  });
}

/**
 * RAM from hrStorageTable: the hrStorageRam row, in bytes (allocation units times counts). net-snmp on Linux
 * counts page cache and buffers as used; it also lists them as rows of their own, and those are taken off, so
 * the figure is what programs hold (as `free` shows it), not a box that is always "full". One walk of the type
 * column, then a GET of the RAM and "other" rows only (not the disks).
 */
async function readRam(session: snmp.Session): Promise<{ totalBytes: number; usedBytes: number } | null> {
  const depth = oidDepth(OID.hrStorageTable) + 1;
  const types = await walkColumn(session, column(OID.hrStorageTable, HR_STORAGE.type));
  const typeOf = (v: snmp.VarBind) => (Array.isArray(v.value) ? v.value.join('.') : '');
  const ramRows = types.filter((v) => typeOf(v) === HR_STORAGE_RAM).map((v) => v.oid.slice(depth).join('.'));
  if (ramRows.length === 0) return null;
  const otherRows = types.filter((v) => typeOf(v) === HR_STORAGE_OTHER).map((v) => v.oid.slice(depth).join('.'));
  const cell = (c: number, index: string) => `${column(OID.hrStorageTable, c)}.${index}`;
  const values = await getMany(session, [
    ...ramRows.flatMap((ix) => [cell(HR_STORAGE.units, ix), cell(HR_STORAGE.size, ix), cell(HR_STORAGE.used, ix)]),
    ...otherRows.flatMap((ix) => [cell(HR_STORAGE.descr, ix), cell(HR_STORAGE.units, ix), cell(HR_STORAGE.used, ix)]),
  ]);
  const bytes = (index: string, c: number) => Number(values.get(cell(HR_STORAGE.units, index))?.value ?? 0) * Number(values.get(cell(c, index))?.value ?? 0);
  const ram = ramRows.map((ix) => ({ totalBytes: bytes(ix, HR_STORAGE.size), usedBytes: bytes(ix, HR_STORAGE.used) })).find((r) => r.totalBytes > 0);
  if (!ram) return null;
  const reclaimable = otherRows
    .filter((ix) => ['Memory buffers', 'Cached memory'].includes(String(values.get(cell(HR_STORAGE.descr, ix))?.value ?? '')))
    .reduce((sum, ix) => sum + bytes(ix, HR_STORAGE.used), 0);
  return { totalBytes: ram.totalBytes, usedBytes: Math.max(0, ram.usedBytes - reclaimable) };
}

/** Exact counter value: snmp-native decodes Counter64 into a float, which loses the low digits past 2^53. */
function counterValue(v: snmp.VarBind | undefined): bigint {
  if (!v) return 0n;
  if (v.valueRaw && v.valueRaw.length > 0) return BigInt('0x' + v.valueRaw.toString('hex'));
  return BigInt(Math.max(0, Math.trunc(Number(v.value) || 0)));
}

function column(tableOid: string, c: number): string {
  return `${tableOid}.${c}`;
}

function oidDepth(oid: string): number {
  return oid.split('.').filter(Boolean).length;
}

function nameMatches(i: InterfaceNames, list: RegExp[]): boolean {
  return list.some((r) => r.test(i.name) || r.test(i.descr));
}

function isRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
