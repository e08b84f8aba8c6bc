import { z } from 'zod';

/** The file a backup folder is recognised by; written last, so a folder without it is an unfinished backup. */
export const MANIFEST_FILE = 'manifest.json';
/** The data dir's files sit under this folder of the backup, at their paths relative to the data dir. */
export const FILES_DIR = 'data';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lower-case hex');

/** A path inside the data dir: relative, forward slashes, no `..` (a manifest must not write outside it). */
const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), 'a relative path inside the data dir');

export const BackupFileSchema = z.object({
  path: RelativePath,
  /** sqlite: copied with SQLite's online backup (a consistent snapshot); file: copied as it is. */
  kind: z.enum(['sqlite', 'file']),
  bytes: z.number().int().nonnegative(),
  sha256: Sha256,
  /** Permission bits (e.g. 0o600 for key files), restored as they were. */
  mode: z.number().int().min(0).max(0o7777),
});
export type BackupFile = z.infer<typeof BackupFileSchema>;

export const BackupManifestSchema = z.object({
  format: z.literal('patrol-collector-backup'),
  formatVersion: z.literal(1),
  /** Patrol version that wrote it. */
  patrolVersion: z.string(),
  createdAt: z.iso.datetime(),
  /** Absolute data dir it was taken from: restore rewrites stored paths that point into it. */
  sourceDataDir: z.string(),
  /** Migrations applied to patrol.db: a collector that lacks one of them is older than the backup. */
  schemaVersions: z.array(z.number().int()),
  /** Where metrics lived: 'sqlite' means they are in metrics.db of this backup; otherwise back them up there. */
  metricsStore: z.enum(['sqlite', 'influxdb']),
  files: z.array(BackupFileSchema),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;
