import { z } from 'zod';
import { defineCheck, type ExecResult, type Executor } from '../define.js';
import { InventoryFactsSchema, type InventoryDisk, type InventoryFacts, type InventoryNic } from '../../shared/inventory.js';
import { MAX_DETAILS_BYTES, wireTextBytes } from '../../shared/check-result.js';
import { isRealFilesystem } from './probe.js';
import { part, say } from './messages.js';

/**
 * The host's fact set for the inspection report and change history: OS, kernel, CPU, memory, disks,
 * NICs and addresses, and versions of chosen packages. Always OK (a fact it cannot read is null); the
 * facts go into `details` as JSON (shared/inventory.ts) for the collector to diff and date.
 * Meant to run at start and daily (intervalSec 86400).
 * Virtual interfaces (container veth pairs, CNI and Docker bridges, tun/tap) are left out: a Kubernetes node has
 * hundreds, they come and go with every pod, and would flood both the details and the dated change history.
 * The JSON is kept under the wire limit for details (it cannot be cut like text): lists that would pass it are
 * shortened, and the summary says so.
 */
export default defineCheck({
  id: 'system.inventory',
  title: { en: 'Inventory', zh: '资产信息' },
  params: z.object({
    /** Packages whose installed version is recorded (dpkg, or rpm where there is no dpkg). */
    packages: z.array(z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9.+_-]*$/, 'a package name')).max(500).default([
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
    const gathered: InventoryFacts = InventoryFactsSchema.parse({
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
      nics: nics.physical,
      packages,
    });
    const { facts, json, cuts } = fitInventory(gathered, MAX_DETAILS_BYTES);
    const installed = Object.values(gathered.packages).filter((v) => v !== null).length;
    return {
      status: 'OK',
      ...say(
        'system.inventory.facts',
        {
          os: facts.os ?? 'unknown OS',
          kernel: facts.kernel ?? '?',
          cores: facts.cpuCores ?? '?',
          memoryBytes: facts.memoryBytes || '?',
          disks: gathered.disks.length,
          nics: gathered.nics.length,
          virtualNics: nics.virtualCount || undefined,
          packagesFound: installed,
          packages: p.packages.length,
        },
        cuts.map((c) => part(CUT_KEYS[c.list], { kept: c.kept, total: c.total })),
      ),
      details: json,
      metrics: [
        {
          measurement: 'inventory',
          fields: {
            cpu_cores: facts.cpuCores ?? 0,
            memory_bytes: facts.memoryBytes ?? 0,
            disks: gathered.disks.length,
            nics: gathered.nics.length,
            virtual_nics: nics.virtualCount,
          },
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
    /** With `ip -d`: the driver kind (veth, bridge, tun, vxlan, ...); absent for hardware NICs. */
    linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
    addr_info: z.array(z.object({ local: z.string().optional(), prefixlen: z.number().optional() })).default([]),
  }),
);

/**
 * Names that container runtimes, CNI plugins and libvirt give their interfaces: veth ends of pods and containers,
 * Calico's cali*, flannel, CNI/Docker/libvirt bridges (cni0, docker0, br-<network id>, virbr0), Kubernetes'
 * kube-ipvs0/kube-bridge, Cilium, Weave, LXC/LXD, libvirt's vnet taps, and tun/tap devices. A bridge an
 * administrator set up (br0 with the host's address) keeps its name and stays listed.
 */
const VIRTUAL_NIC_NAME = /^(veth|cali|flannel|cni|docker\d|br-[0-9a-f]{6,}|virbr|kube-|cilium|lxc|lxd|weave|vxlan|genev|vnet\d|tun\d|tap|ifb\d)/;

/** Kinds (ip -d) that are always virtual plumbing; a bridge, bond or VLAN may be real configuration and is judged by name. */
const VIRTUAL_NIC_KINDS = new Set(['veth', 'tun', 'vxlan', 'geneve', 'ifb', 'ipip', 'ip6tnl', 'gre', 'gretap', 'sit', 'vti', 'nlmon']);

export function isVirtualNic(name: string, kind?: string): boolean {
  return VIRTUAL_NIC_NAME.test(name) || (kind !== undefined && VIRTUAL_NIC_KINDS.has(kind));
}

async function readNics(x: Executor): Promise<{ physical: InventoryNic[]; virtualCount: number }> {
  const all = await listNics(x);
  const physical = all.filter((n) => !isVirtualNic(n.name, n.kind)).map(({ kind: _kind, ...nic }) => nic);
  return { physical, virtualCount: all.length - physical.length };
}

async function listNics(x: Executor): Promise<Array<InventoryNic & { kind?: string }>> {
  const out = await run(x, 'ip', ['-d', '-j', 'addr', 'show']);
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
          kind: n.linkinfo?.info_kind,
        }));
    }
  }
  // No iproute2, or one without JSON (minimal images, CentOS 7): names only, from /proc/net/dev.
  const dev = await readText(x, '/proc/net/dev');
  return (dev ?? '')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]!.trim())
    .filter((n) => n && n !== 'lo')
    .map((name) => ({ name, mac: null, mtu: null, state: null, addresses: [] }));
}

/**
 * The fact set as JSON that fits `maxBytes` inside a frame (wireTextBytes). Past it, the longest lists (NICs,
 * file systems, disks, packages) lose entries from their end until it fits; `cuts` says what was kept of what.
 */
const CUT_KEYS = {
  NICs: 'system.inventory.cutNics',
  'file systems': 'system.inventory.cutFilesystems',
  disks: 'system.inventory.cutDisks',
  packages: 'system.inventory.cutPackages',
} as const;

/** A list of the inventory shortened to fit: how many of how many were kept. */
export interface InventoryCut {
  list: keyof typeof CUT_KEYS;
  kept: number;
  total: number;
}

export function fitInventory(facts: InventoryFacts, maxBytes: number): { facts: InventoryFacts; json: string; cuts: InventoryCut[] } {
  let json = JSON.stringify(facts);
  if (wireTextBytes(json) <= maxBytes) return { facts, json, cuts: [] };
  const lists = {
    NICs: [...facts.nics] as unknown[],
    'file systems': [...facts.filesystems] as unknown[],
    disks: [...facts.disks] as unknown[],
    packages: Object.entries(facts.packages) as unknown[],
  };
  const total = Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.length])) as Record<keyof typeof lists, number>;
  const build = (): InventoryFacts => ({
    ...facts,
    nics: lists.NICs as InventoryNic[],
    filesystems: lists['file systems'] as InventoryFacts['filesystems'],
    disks: lists.disks as InventoryDisk[],
    packages: Object.fromEntries(lists.packages as Array<[string, string | null]>),
  });
  const itemBytes = (v: unknown) => wireTextBytes(JSON.stringify(v)) + 1;
  let over = wireTextBytes(json) - maxBytes;
  // Each round drops from the list that is longest in bytes, by its entries' own sizes, then measures again.
  while (over > 0) {
    const sizes = Object.entries(lists).map(([k, v]) => [k, v.reduce<number>((n, item) => n + itemBytes(item), 0)] as const);
    const [longest, bytes] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (bytes === 0) break; // nothing left to drop: only the scalars remain, which are small
    const list = lists[longest as keyof typeof lists];
    while (over > 0 && list.length) over -= itemBytes(list.pop());
    json = JSON.stringify(build());
    over = wireTextBytes(json) - maxBytes;
  }
  const cuts = (Object.keys(lists) as Array<keyof typeof lists>)
    .filter((k) => lists[k].length < total[k])
    .map((k) => ({ list: k, kept: lists[k].length, total: total[k] }));
  return { facts: build(), json, cuts };
}

/**
 * Installed versions of the named packages: dpkg where there is dpkg, else rpm. "No dpkg" looks different by
 * where it runs: locally spawn fails (code null); over SSH the remote shell answers 127 (not found) or 126 (not
 * executable) with "not found" / "No such file or directory" on stderr.
 */
export async function readPackages(x: Executor, names: string[]): Promise<Record<string, string | null>> {
  const versions: Record<string, string | null> = Object.fromEntries(names.map((n) => [n, null]));
  if (names.length === 0) return versions;
  // dpkg-query exits 1 when one name is unknown but still prints the others.
  const dpkg = await x.exec('dpkg-query', ['-W', '-f', '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n', ...names], { timeoutMs: 20_000 });
  if (!dpkgMissing(dpkg)) {
    for (const line of dpkg.stdout.split('\n')) {
      const [name, version, status] = line.split('\t');
      // "ii " = installed; "rc " = removed with config left, which is not installed.
      if (name && name in versions && version && status?.startsWith('ii')) versions[name] = version;
    }
    return versions;
  }
  const rpm = await x.exec('rpm', ['-q', '--qf', '%{NAME}\\t%{VERSION}-%{RELEASE}\\n', ...names], { timeoutMs: 20_000 });
  for (const line of rpm.stdout.split('\n')) {
    const [name, version] = line.split('\t');
    if (name && name in versions && version) versions[name] = version;
  }
  return versions;
}

function dpkgMissing(r: ExecResult): boolean {
  if (r.code === null && !r.timedOut) return true;
  if (r.code === 126 || r.code === 127) return true;
  // dpkg-query's own "no packages found matching x" (exit 1) is dpkg answering, not dpkg missing.
  return r.code !== 0 && !r.stdout && /dpkg-query: (command )?not found|dpkg-query: No such file or directory|No such file or directory.*dpkg-query/i.test(r.stderr);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
