import { z } from 'zod';
import type * as snmp from 'snmp-native';

/** ASN.1 type tag of Counter64 (snmp-native's DataTypes.Counter64), kept here so the module loads lazily. */
const COUNTER64 = 0x46;
import { defineCheck, type CheckOutcome } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';

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
const IF = { descr: 2, speed: 5, adminStatus: 7, operStatus: 8, inOctets: 10, inDiscards: 13, inErrors: 14, outOctets: 16, outDiscards: 19, outErrors: 20 };
const IFX = { name: 1, hcInOctets: 6, hcOutOctets: 10, highSpeed: 15, alias: 18 };
const HR_STORAGE = { type: 2, descr: 3, units: 4, size: 5, used: 6 };
const HR_STORAGE_RAM = '1.3.6.1.2.1.25.2.1.2';
const OPER_STATUS = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'];
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
});
type SnmpParams = z.infer<typeof Params>;

/** What one run remembers for the next (JSON-safe: counters as decimal strings, they exceed 2^53). */
interface DeviceSnapshot {
  at: number;
  uptimeTicks: number;
  ifaces: Record<string, { name: string; bits: 32 | 64; inOctets: string; outOctets: string; errors: string; discards: string }>;
}

export interface InterfaceRow {
  index: string;
  name: string;
  descr: string;
  alias: string;
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
    try {
      let scalars: snmp.VarBind[];
      try {
        scalars = await getAll(session, [OID.sysDescr, OID.sysUpTime, OID.sysName, OID.hrSystemUptime]);
      } catch (err) {
        if (ctx.signal.aborted) return { status: 'UNKNOWN', summary: `SNMP poll of ${where} aborted at the check timeout` };
        if (/timeout/i.test((err as Error).message)) {
          return { status: 'CRITICAL', summary: `no SNMP answer from ${where} (wrong community or host down)`, metrics: [{ measurement: 'snmp_device', tags: { device: p.host }, fields: { up: 0 } }] };
        }
        return { status: 'CRITICAL', summary: `SNMP request to ${where} failed: ${(err as Error).message}` };
      }
      const scalar = (oid: string) => scalars.find((v) => '.' + v.oid.join('.') === oid && !isNoValue(v));
      const sysUp = scalar(OID.sysUpTime);
      if (!sysUp) return { status: 'UNKNOWN', summary: `${where} answers SNMP but has no sysUpTime` };
      const hrUp = scalar(OID.hrSystemUptime);
      const uptimeTicks = Number((hrUp ?? sysUp).value);
      const ifTable = await walk(session, OID.ifTable);
      const ifXTable = await walk(session, OID.ifXTable);
      // HOST-RESOURCES-MIB is optional on network gear: an empty walk means "not there", never an error.
      const cpuLoads = (await walk(session, OID.hrProcessorLoad)).map((v) => Number(v.value));
      const storage = await walk(session, OID.hrStorageTable);
      return judge(ctx.now(), p, {
        sysName: String(scalar(OID.sysName)?.value ?? p.host),
        uptimeTicks,
        uptimeSource: hrUp ? 'hrSystemUptime' : 'sysUpTime',
        interfaces: interfaceRows(ifTable, ifXTable),
        cpuLoads,
        ram: ramFigures(storage),
      }, ctx.state);
    } catch (err) {
      if (ctx.signal.aborted) return { status: 'UNKNOWN', summary: `SNMP poll of ${where} aborted at the check timeout` };
      if (/timeout/i.test((err as Error).message)) return { status: 'CRITICAL', summary: `${where} stopped answering SNMP during the poll` };
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
  const problems: string[] = [];
  const prev = state.get<DeviceSnapshot>('snapshot');
  const restarted = prev !== undefined && deviceRestarted(prev.uptimeTicks, poll.uptimeTicks, now - prev.at);
  if (restarted) state.set('restartSeenAt', now);
  const restartSeenAt = state.get<number>('restartSeenAt');
  const uptimeSec = poll.uptimeTicks / 100;
  if (restartSeenAt !== undefined && now - restartSeenAt <= p.rebootWarnMinutes * 60_000) {
    statuses.push('WARNING');
    problems.push(`device restarted (up ${formatDuration(uptimeSec)})`);
  }

  const include = p.interfaces.map((s) => new RegExp(s));
  const exclude = p.excludeInterfaces.map((s) => new RegExp(s));
  const matches = (i: InterfaceRow, list: RegExp[]) => list.some((r) => r.test(i.name) || r.test(i.descr));
  const ifaces = poll.interfaces.filter((i) => (include.length === 0 || matches(i, include)) && !matches(i, exclude));
  if (include.length > 0 && ifaces.length === 0) {
    statuses.push('UNKNOWN');
    problems.push(`no interface matches ${p.interfaces.join(', ')}`);
  }
  const elapsedSec = prev ? (now - prev.at) / 1000 : 0;
  const metrics: NonNullable<CheckOutcome['metrics']> = [];
  let totalIn = 0;
  let totalOut = 0;
  let withRates = 0;
  let down = 0;
  for (const i of ifaces) {
    const fields: Record<string, number | string | boolean> = {
      admin_up: i.adminUp,
      oper_up: i.operStatus === 1,
      oper_status: OPER_STATUS[i.operStatus] ?? String(i.operStatus),
      in_octets: Number(i.inOctets),
      out_octets: Number(i.outOctets),
      errors: Number(i.errors),
      discards: Number(i.discards),
      counter_bits: i.bits,
    };
    if (i.speedBps > 0) fields.speed_bps = i.speedBps;
    if (i.adminUp && (i.operStatus === 2 || i.operStatus === 7)) {
      down += 1;
      statuses.push('CRITICAL');
      problems.push(`${i.name} is ${OPER_STATUS[i.operStatus]} (admin up)`);
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
        if (s !== 'OK') problems.push(`${i.name} ${(errPerSec + discPerSec).toFixed(2)} errors+discards/s`);
      }
    }
    metrics.push({ measurement: 'snmp_interface', tags: { device: p.host, ifname: i.name, ifindex: i.index }, fields });
  }
  state.set('snapshot', {
    at: now,
    uptimeTicks: poll.uptimeTicks,
    ifaces: Object.fromEntries(
      poll.interfaces.map((i) => [i.index, { name: i.name, bits: i.bits, inOctets: String(i.inOctets), outOctets: String(i.outOctets), errors: String(i.errors), discards: String(i.discards) }]),
    ),
  } satisfies DeviceSnapshot);

  const device: Record<string, number | string | boolean> = {
    up: 1,
    uptime_sec: Math.round(uptimeSec),
    uptime_source: poll.uptimeSource,
    restarted,
    interfaces: ifaces.length,
    interfaces_down: down,
  };
  const extras: string[] = [];
  if (poll.cpuLoads.length > 0) {
    const cpu = poll.cpuLoads.reduce((a, b) => a + b, 0) / poll.cpuLoads.length;
    device.cpu_load_pct = round(cpu);
    device.cpu_count = poll.cpuLoads.length;
    const s = statusAbove(cpu, p.cpuWarnPct, p.cpuCritPct);
    statuses.push(s);
    if (s !== 'OK') problems.push(`CPU ${cpu.toFixed(0)}%`);
    extras.push(`CPU ${cpu.toFixed(0)}%`);
  }
  if (poll.ram && poll.ram.totalBytes > 0) {
    const pct = (100 * poll.ram.usedBytes) / poll.ram.totalBytes;
    Object.assign(device, { mem_total_bytes: poll.ram.totalBytes, mem_used_bytes: poll.ram.usedBytes, mem_used_pct: round(pct) });
    const s = statusAbove(pct, p.memWarnPct, p.memCritPct);
    statuses.push(s);
    if (s !== 'OK') problems.push(`memory ${pct.toFixed(0)}%`);
    extras.push(`memory ${pct.toFixed(0)}%`);
  }
  metrics.unshift({ measurement: 'snmp_device', tags: { device: p.host }, fields: device });

  const upCount = ifaces.filter((i) => i.operStatus === 1).length;
  const adminDown = ifaces.filter((i) => !i.adminUp).length;
  const rates = prev && !restarted ? `, in ${mbit(totalIn)} out ${mbit(totalOut)} Mbit/s over ${withRates}` : ' (rates from the next run)';
  const summary = problems.length
    ? problems.join(', ')
    : `${poll.sysName} up ${formatDuration(uptimeSec)}, ${ifaces.length} interfaces (${upCount} up, ${adminDown} admin down)${rates}` +
      (extras.length ? `, ${extras.join(', ')}` : '');
  return { status: worstStatus(statuses), summary, metrics };
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

/** ifTable and ifXTable walks, joined by ifIndex; 64-bit HC octet counters where the device has them. */
export function interfaceRows(ifTable: snmp.VarBind[], ifXTable: snmp.VarBind[]): InterfaceRow[] {
  const t = byColumn(ifTable, OID.ifTable);
  const x = byColumn(ifXTable, OID.ifXTable);
  const rows: InterfaceRow[] = [];
  for (const [index, descrVb] of t.get(IF.descr) ?? new Map<string, snmp.VarBind>()) {
    const col = (m: Map<number, Map<string, snmp.VarBind>>, c: number) => {
      const v = m.get(c)?.get(index);
      return v && !isNoValue(v) ? v : undefined;
    };
    const hcIn = col(x, IFX.hcInOctets);
    const hcOut = col(x, IFX.hcOutOctets);
    const hc = hcIn !== undefined && hcOut !== undefined && hcIn.type === COUNTER64;
    const highSpeed = Number(col(x, IFX.highSpeed)?.value ?? 0);
    const descr = String(descrVb.value ?? '');
    rows.push({
      index,
      name: String(col(x, IFX.name)?.value ?? '') || descr || `if${index}`,
      descr,
      alias: String(col(x, IFX.alias)?.value ?? ''),
      adminUp: Number(col(t, IF.adminStatus)?.value) === 1,
      operStatus: Number(col(t, IF.operStatus)?.value ?? 4),
      // ifSpeed is a 32-bit gauge that tops out at 4.29 Gbit/s; ifHighSpeed is in Mbit/s.
      speedBps: highSpeed > 0 ? highSpeed * 1_000_000 : Number(col(t, IF.speed)?.value ?? 0),
      bits: hc ? 64 : 32,
      inOctets: counterValue(hc ? hcIn : col(t, IF.inOctets)),
      outOctets: counterValue(hc ? hcOut : col(t, IF.outOctets)),
      errors: counterValue(col(t, IF.inErrors)) + counterValue(col(t, IF.outErrors)),
      discards: counterValue(col(t, IF.inDiscards)) + counterValue(col(t, IF.outDiscards)),
    });
  }
  return rows;
}

/**
 * RAM from hrStorageTable: the hrStorageRam row, in bytes (allocation units times counts). net-snmp on Linux
 * counts page cache and buffers as used; it also lists them as rows of their own, and those are taken off, so
 * the figure is what programs hold (as `free` shows it), not a box that is always "full".
 */
function ramFigures(storage: snmp.VarBind[]): { totalBytes: number; usedBytes: number } | null {
  const cols = byColumn(storage, OID.hrStorageTable);
  const bytes = (index: string, column: number) =>
    Number(cols.get(HR_STORAGE.units)?.get(index)?.value ?? 0) * Number(cols.get(column)?.get(index)?.value ?? 0);
  let ram: { totalBytes: number; usedBytes: number } | null = null;
  let reclaimable = 0;
  for (const [index, typeVb] of cols.get(HR_STORAGE.type) ?? new Map<string, snmp.VarBind>()) {
    const descr = String(cols.get(HR_STORAGE.descr)?.get(index)?.value ?? '');
    if (descr === 'Memory buffers' || descr === 'Cached memory') reclaimable += bytes(index, HR_STORAGE.used);
    if (!ram && Array.isArray(typeVb.value) && typeVb.value.join('.') === HR_STORAGE_RAM) {
      const totalBytes = bytes(index, HR_STORAGE.size);
      if (totalBytes > 0) ram = { totalBytes, usedBytes: bytes(index, HR_STORAGE.used) };
    }
  }
  return ram && { totalBytes: ram.totalBytes, usedBytes: Math.max(0, ram.usedBytes - reclaimable) };
}

/** Exact counter value: snmp-native decodes Counter64 into a float, which loses the low digits past 2^53. */
function counterValue(v: snmp.VarBind | undefined): bigint {
  if (!v) return 0n;
  if (v.valueRaw && v.valueRaw.length > 0) return BigInt('0x' + v.valueRaw.toString('hex'));
  return BigInt(Math.max(0, Math.trunc(Number(v.value) || 0)));
}

/** column number -> row index (the OID part after the column, e.g. "3") -> varbind. */
function byColumn(vbs: snmp.VarBind[], tableOid: string): Map<number, Map<string, snmp.VarBind>> {
  const depth = tableOid.split('.').filter(Boolean).length;
  const out = new Map<number, Map<string, snmp.VarBind>>();
  for (const v of vbs) {
    const column = v.oid[depth];
    const index = v.oid.slice(depth + 1).join('.');
    if (column === undefined || !index) continue;
    let m = out.get(column);
    if (!m) out.set(column, (m = new Map()));
    m.set(index, v);
  }
  return out;
}

function isNoValue(v: snmp.VarBind): boolean {
  return v.value === 'noSuchObject' || v.value === 'noSuchInstance' || v.value === 'endOfMibView' || v.value === null;
}

/** abortOnError: without it snmp-native swallows a timeout and answers an empty list. */
function getAll(session: snmp.Session, oids: string[]): Promise<snmp.VarBind[]> {
  return new Promise((resolve, reject) => session.getAll({ oids, abortOnError: true }, (err, vbs) => (err ? reject(err) : resolve(vbs))));
}

function walk(session: snmp.Session, oid: string): Promise<snmp.VarBind[]> {
  return new Promise((resolve, reject) => session.getSubtree({ oid }, (err, vbs) => (err ? reject(err) : resolve(vbs ?? []))));
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

function mbit(bps: number): string {
  return (bps / 1_000_000).toFixed(2);
}

function formatDuration(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : `${h}h ${m}m`;
}
