import { z } from 'zod';

/**
 * The inventory fact set of one host, as the `system.inventory` check puts it (JSON) in its result's
 * details. The collector parses it with this schema, keeps the latest set and dates every change (the
 * quarterly inspection report lists them). A fact the host could not give is null or an empty list.
 */
export const InventoryDiskSchema = z.object({
  name: z.string(),
  sizeBytes: z.number().nonnegative(),
  model: z.string().nullable(),
  rotational: z.boolean().nullable(),
});

export const InventoryFilesystemSchema = z.object({
  mount: z.string(),
  device: z.string(),
  fsType: z.string(),
  sizeBytes: z.number().nonnegative(),
});

export const InventoryNicSchema = z.object({
  name: z.string(),
  mac: z.string().nullable(),
  mtu: z.number().int().nullable(),
  state: z.string().nullable(),
  /** Addresses with prefix length, e.g. "10.0.0.5/24". */
  addresses: z.array(z.string()),
});

export const InventoryFactsSchema = z.object({
  hostname: z.string(),
  os: z.string().nullable(),
  kernel: z.string().nullable(),
  arch: z.string().nullable(),
  cpuModel: z.string().nullable(),
  cpuCores: z.number().int().nonnegative().nullable(),
  memoryBytes: z.number().nonnegative().nullable(),
  disks: z.array(InventoryDiskSchema),
  filesystems: z.array(InventoryFilesystemSchema),
  nics: z.array(InventoryNicSchema),
  /** Package name -> installed version; null when the package is not installed. */
  packages: z.record(z.string(), z.string().nullable()),
});

export type InventoryFacts = z.infer<typeof InventoryFactsSchema>;
export type InventoryDisk = z.infer<typeof InventoryDiskSchema>;
export type InventoryNic = z.infer<typeof InventoryNicSchema>;

/** The check id whose results carry an inventory in `details`. */
export const INVENTORY_CHECK_ID = 'system.inventory';

/**
 * Flatten a fact set into field -> text, the unit of change tracking: "kernel", "package.openssl",
 * "disk.vda.sizeBytes", "nic.eth0.addresses". Lists are keyed by name so a reorder is not a change.
 */
export function flattenInventory(f: InventoryFacts): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    if (v === null || v === undefined) return;
    out[k] = Array.isArray(v) ? [...v].map(String).sort().join(', ') : String(v);
  };
  put('hostname', f.hostname);
  put('os', f.os);
  put('kernel', f.kernel);
  put('arch', f.arch);
  put('cpu.model', f.cpuModel);
  put('cpu.cores', f.cpuCores);
  put('memory.bytes', f.memoryBytes);
  for (const d of f.disks) {
    put(`disk.${d.name}.sizeBytes`, d.sizeBytes);
    put(`disk.${d.name}.model`, d.model);
  }
  for (const fs of f.filesystems) {
    put(`fs.${fs.mount}.sizeBytes`, fs.sizeBytes);
    put(`fs.${fs.mount}.device`, fs.device);
    put(`fs.${fs.mount}.fsType`, fs.fsType);
  }
  for (const n of f.nics) {
    put(`nic.${n.name}.mac`, n.mac);
    put(`nic.${n.name}.addresses`, n.addresses);
    put(`nic.${n.name}.mtu`, n.mtu);
  }
  for (const [name, version] of Object.entries(f.packages)) out[`package.${name}`] = version ?? '(not installed)';
  return out;
}
