import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger } from '../../shared/logger.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { BackupRefused } from './backup.js';
import { listFiles, sha256File, SQLITE_SIDE_SUFFIXES } from './files.js';
import { BackupManifestSchema, FILES_DIR, MANIFEST_FILE, type BackupFile, type BackupManifest } from './manifest.js';
import { relocateDataDir } from './relocate.js';

const log = createLogger('backup.restore');

export interface RestoreOptions {
  /** A folder written by `patrol-collector backup`. */
  from: string;
  dataDir: string;
  /** Restore into a data dir that already holds files (the collector must be stopped). */
  force?: boolean;
}

export interface RestoreSummary {
  manifest: BackupManifest;
  /** Report rows whose folder was moved from the old data dir to the new one. */
  relocatedRows: number;
  /** With --force: files already in the data dir that the backup does not hold, left as they were. */
  leftInPlace: string[];
}

/** The backup's manifest, checked against its schema. */
export function readManifest(from: string): BackupManifest {
  const file = join(from, MANIFEST_FILE);
  if (!existsSync(file)) throw new BackupRefused(`${from} has no ${MANIFEST_FILE}: not a Patrol backup (or an unfinished one)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BackupRefused(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = BackupManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackupRefused(`${file}: ${issue.path.join('.') || 'manifest'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Files whose bytes differ from the manifest (missing counts as differing). */
async function mismatches(root: string, files: readonly BackupFile[]): Promise<string[]> {
  const bad: string[] = [];
  for (const f of files) {
    const path = join(root, ...f.path.split('/'));
    if (!existsSync(path) || (await sha256File(path)) !== f.sha256) bad.push(f.path);
  }
  return bad;
}

/**
 * Restore a backup into a data dir on this (or a new) machine. Every file is checked against the manifest's
 * sha256 before anything is written and again after the copy; nothing is restored from a damaged backup.
 */
export async function restoreBackup(opts: RestoreOptions): Promise<RestoreSummary> {
  const from = resolve(opts.from);
  const dataDir = resolve(opts.dataDir);
  const manifest = readManifest(from);
  const damaged = await mismatches(join(from, FILES_DIR), manifest.files);
  if (damaged.length) throw new BackupRefused(`the backup is damaged: sha256 differs or file missing for ${damaged.join(', ')}`);
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const newer = manifest.schemaVersions.filter((v) => !known.has(v));
  if (newer.length) {
    throw new BackupRefused(`the backup was made by a newer Patrol (${manifest.patrolVersion}; migrations ${newer.join(', ')} unknown here): upgrade first`);
  }
  const existing = existsSync(dataDir) ? listFiles(dataDir).files.map((f) => f.path) : [];
  if (existing.length && !opts.force) throw new BackupRefused(`${dataDir} is not empty; restore into a new folder, or stop the collector and give --force`);

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const f of manifest.files) {
    const dest = join(dataDir, ...f.path.split('/'));
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    // A journal or WAL left by the database this replaces would be replayed into the restored one.
    if (f.kind === 'sqlite') for (const s of SQLITE_SIDE_SUFFIXES) rmSync(dest + s, { force: true });
    copyFileSync(join(from, FILES_DIR, ...f.path.split('/')), dest);
    chmodSync(dest, f.mode);
  }
  const miscopied = await mismatches(dataDir, manifest.files);
  if (miscopied.length) throw new Error(`restored files differ from the backup: ${miscopied.join(', ')}`);

  const relocatedRows = manifest.files.some((f) => f.path === 'patrol.db') ? relocateDataDir(join(dataDir, 'patrol.db'), manifest.sourceDataDir, dataDir) : 0;
  const restored = new Set(manifest.files.map((f) => f.path));
  const sideOfRestored = (p: string) => SQLITE_SIDE_SUFFIXES.some((s) => p.endsWith(s) && restored.has(p.slice(0, -s.length)));
  const leftInPlace = existing.filter((p) => !restored.has(p) && !sideOfRestored(p));
  log.info({ from, dataDir, files: manifest.files.length, relocatedRows, leftInPlace }, 'backup restored');
  return { manifest, relocatedRows, leftInPlace };
}
