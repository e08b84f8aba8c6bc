import { z } from 'zod';
import { defineCheck, type Executor } from '../define.js';
import { InventoryFactsSchema, type InventoryDisk, type InventoryFacts, type InventoryNic } from '../../shared/inventory.js';
import { isRealFilesystem } from './probe.js';

/**
 * The host's fact set for the inspection report and change history: OS, kernel, CPU, memory, disks,
 * NICs and addresses, and versions of chosen packages. Always OK (a fact it cannot read is null); the
 * facts go into `details` as JSON (shared/inventory.ts) for the collector to diff and date.
 * Meant to run at start and daily (intervalSec 86400).
 */
export default defineCheck({
  id: 'system.inventory',
  title: { en: 'Inventory', zh: '资产信息' },
  params: z.object({
    /** Packages whose installed version is recorded (dpkg, or rpm where there is no dpkg). */
    packages: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.+_-]*$/, 'a package name')).default([
      'openssl', 'openssh-server', 'bash', 'libc6', 'glibc', 'systemd', 'sudo',
    ]),
  }),
  async run(ctx, p) {
    const x = ctx.exec;
    const [hostname, osRelease, kernel, arch, cpuinfo, meminfo, disks, nics, packages, filesystems] = await Promise.all([
      readText(x, '/proc/sys/kernel/hostname'),
      readText(x, '/etc/os-release'),
      readText(x, '/proc/sys/kernel/osrelease'),
      run(x, 'uname', ['-m']),
      readText(x, '/proc/cpuinfo'),
      readText(x, '/proc/meminfo'),
      readDisks(x),
      readNics(x),
      readPackages(x, p.packages),
      ctx.system.filesystems().catch(() => []),
    ]);
    const cpu = parseCpuinfo(cpuinfo ?? '');
    const memKb = /^MemTotal:\s+(\d+) kB/m.exec(meminfo ?? '')?.[1];
    const facts: InventoryFacts = InventoryFactsSchema.parse({
      hostname: hostname?.trim() || ctx.host.hostname,
      os: parseOsRelease(osRelease ?? '') ?? (ctx.host.os || null),
      kernel: kernel?.trim() || null,
      arch: arch?.trim() || null,
      cpuModel: cpu.model,
      cpuCores: cpu.cores,
      memoryBytes: memKb ? Number(memKb) * 1024 : null,
      disks,
      filesystems: filesystems
        .filter((f) => isRealFilesystem(f.fsType, f.mount))
        .map((f) => ({ mount: f.mount, device: f.device, fsType: f.fsType, sizeBytes: f.sizeBytes })),
      nics,
      packages,
    });
    const installed = Object.values(facts.packages).filter((v) => v !== null).length;
    return {
      status: 'OK',
      summary: `${facts.os ?? 'unknown OS'}, kernel ${facts.kernel ?? '?'}, ${facts.cpuCores ?? '?'} cores, ${
        facts.memoryBytes ? (facts.memoryBytes / 2 ** 30).toFixed(1) : '?'
      } GiB, ${facts.disks.length} disks, ${facts.nics.length} NICs, ${installed}/${p.packages.length} packages found`,
      details: JSON.stringify(facts),
      metrics: [
        {
          measurement: 'inventory',
          fields: { cpu_cores: facts.cpuCores ?? 0, memory_bytes: facts.memoryBytes ?? 0, disks: facts.disks.length, nics: facts.nics.length },
        },
      ],
    };
  },
});

async function readText(x: Executor, path: string): Promise<string | null> {
  return x.readFile(path).catch(() => null);
}

async function run(x: Executor, cmd: string, args: string[]): Promise<string | null> {
  const r = await x.exec(cmd, args, { timeoutMs: 10_000 });
  return r.code === 0 ? r.stdout : null;
}

export function parseOsRelease(text: string): string | null {
  const v = /^PRETTY_NAME=(.*)$/m.exec(text)?.[1];
  return v ? v.replace(/^"(.*)"$/, '$1') : null;
}

export function parseCpuinfo(text: string): { model: string | null; cores: number | null } {
  const model = /^(?:model name|Model|cpu model)\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? null;
  const processors = text.split('\n').filter((l) => /^processor\s*:/.test(l)).length;
  return { model, cores: processors > 0 ? processors : null };
}

const LsblkSchema = z.object({
  blockdevices: z.array(
    z.object({
      name: z.string(),
      size: z.union([z.number(), z.string()]),
      type: z.string(),
      model: z.string().nullable().optional(),
      rota: z.union([z.boolean(), z.string()]).nullable().optional(),
    }),
  ),
});

async function readDisks(x: Executor): Promise<InventoryDisk[]> {
  const out = await run(x, 'lsblk', ['-b', '-d', '-n', '-J', '-o', 'NAME,SIZE,TYPE,MODEL,ROTA']);
  if (!out) return [];
  const parsed = LsblkSchema.safeParse(safeJson(out));
  if (!parsed.success) return [];
  return parsed.data.blockdevices
    // zram and loop devices are RAM or files, not hardware; a 0-byte disk is an empty slot.
    .filter((d) => d.type === 'disk' && !/^(zram|loop|ram)\d/.test(d.name) && Number(d.size) > 0)
    .map((d) => ({
      name: d.name,
      sizeBytes: Number(d.size),
      model: d.model?.trim() || null,
      rotational: d.rota === undefined || d.rota === null ? null : d.rota === true || d.rota === '1',
    }));
}

const IpAddrSchema = z.array(
  z.object({
    ifname: z.string(),
    address: z.string().optional(),
    mtu: z.number().optional(),
    operstate: z.string().optional(),
    link_type: z.string().optional(),
    addr_info: z.array(z.object({ local: z.string().optional(), prefixlen: z.number().optional() })).default([]),
  }),
);

async function readNics(x: Executor): Promise<InventoryNic[]> {
  const out = await run(x, 'ip', ['-j', 'addr', 'show']);
  if (out) {
    const parsed = IpAddrSchema.safeParse(safeJson(out));
    if (parsed.success) {
      return parsed.data
        .filter((n) => n.link_type !== 'loopback')
        .map((n) => ({
          name: n.ifname,
          mac: n.address ?? null,
          mtu: n.mtu ?? null,
          state: n.operstate ?? null,
          addresses: n.addr_info.filter((a) => a.local).map((a) => `${a.local}/${a.prefixlen ?? ''}`),
        }));
    }
  }
  // No iproute2 (minimal images): names only, from /proc/net/dev.
  const dev = await readText(x, '/proc/net/dev');
  return (dev ?? '')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]!.trim())
    .filter((n) => n && n !== 'lo')
    .map((name) => ({ name, mac: null, mtu: null, state: null, addresses: [] }));
}

async function readPackages(x: Executor, names: string[]): Promise<Record<string, string | null>> {
  const versions: Record<string, string | null> = Object.fromEntries(names.map((n) => [n, null]));
  if (names.length === 0) return versions;
  // dpkg-query exits 1 when one name is unknown but still prints the others.
  const dpkg = await x.exec('dpkg-query', ['-W', '-f', '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n', ...names], { timeoutMs: 20_000 });
  if (dpkg.code !== null && dpkg.stdout) {
    for (const line of dpkg.stdout.split('\n')) {
      const [name, version, status] = line.split('\t');
      // "ii " = installed; "rc " = removed with config left, which is not installed.
      if (name && name in versions && version && status?.startsWith('ii')) versions[name] = version;
    }
    return versions;
  }
  if (dpkg.code !== null) return versions;
  const rpm = await x.exec('rpm', ['-q', '--qf', '%{NAME}\\t%{VERSION}-%{RELEASE}\\n', ...names], { timeoutMs: 20_000 });
  for (const line of rpm.stdout.split('\n')) {
    const [name, version] = line.split('\t');
    if (name && name in versions && version) versions[name] = version;
  }
  return versions;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
