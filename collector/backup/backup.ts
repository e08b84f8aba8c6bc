import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { PATROL_VERSION } from '../../shared/version.js';
import { createLogger } from '../../shared/logger.js';
import { FILES_DIR, MANIFEST_FILE, BackupManifestSchema, type BackupFile, type BackupManifest } from './manifest.js';
import { isSqliteFile, listFiles, sha256File, SQLITE_SIDE_SUFFIXES, type DataDirEntry } from './files.js';

const log = createLogger('backup');

/** A backup or restore that must not go on; the message is for the user as it stands. */
export class BackupRefused extends Error {}

export interface BackupOptions {
  dataDir: string;
  /** A new (or empty) folder outside the data dir. */
  outDir: string;
  /** Where the collector keeps metrics: InfluxDB's data is not in the data dir and needs its own backup. */
  metricsStore: BackupManifest['metricsStore'];
  now?: () => Date;
}

export interface BackupSummary {
  manifest: BackupManifest;
  /** Entries left out: symlinks, sockets, files that vanished while the backup ran. */
  skipped: string[];
}

/** Copy every page in one step: one read transaction, so the copy is one point in time (see backupSqlite). */
const ALL_PAGES = 0x7fffffff;

/**
 * SQLite's online backup of a database the running collector keeps writing. Done in one step, the copy
 * is read inside a single read transaction: in WAL mode that never blocks the collector's writers, and
 * unlike the default 100-page steps it cannot be restarted forever by a busy writer in another process.
 * The copy is left in rollback-journal mode (one file); the collector turns WAL on again when it opens it.
 */
async function backupSqlite(source: string, dest: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(dest, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  // The copy keeps the source's WAL flag; in rollback mode it is one self-contained file whose hash holds.
  const copy = new Database(dest, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** patrol.db first: rows that name files (reports) are older than the files, so the files copied after it exist. */
function backupOrder(a: DataDirEntry, b: DataDirEntry): number {
  const rank = (e: DataDirEntry) => (e.path === 'patrol.db' ? 0 : 1);
  return rank(a) - rank(b);
}

/** Back up a collector's data dir while it runs: SQLite stores by online backup, every other file as it is. */
export async function backupDataDir(opts: BackupOptions): Promise<BackupSummary> {
  const dataDir = resolve(opts.dataDir);
  const outDir = resolve(opts.outDir);
  if (!existsSync(join(dataDir, 'patrol.db'))) throw new BackupRefused(`${dataDir} holds no patrol.db: not a collector data dir`);
  if (outDir === dataDir || outDir.startsWith(dataDir + sep)) throw new BackupRefused(`${outDir} is inside the data dir; write the backup elsewhere`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new BackupRefused(`${outDir} is not empty; give a new folder`);
  // Key files are inside: the backup is as secret as the data dir.
  mkdirSync(join(outDir, FILES_DIR), { recursive: true, mode: 0o700 });
  chmodSync(outDir, 0o700);

  const listed = listFiles(dataDir);
  const skipped = [...listed.skipped];
  const sqlitePaths = new Set(listed.files.filter((f) => isSqliteFile(f.absolute)).map((f) => f.path));
  const isSideFile = (p: string) => SQLITE_SIDE_SUFFIXES.some((s) => p.endsWith(s) && sqlitePaths.has(p.slice(0, -s.length)));
  const files: BackupFile[] = [];
  for (const entry of listed.files.filter((f) => !isSideFile(f.path)).sort(backupOrder)) {
    const dest = join(outDir, FILES_DIR, ...entry.path.split('/'));
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    const kind = sqlitePaths.has(entry.path) ? 'sqlite' : 'file';
    try {
      if (kind === 'sqlite') await backupSqlite(entry.absolute, dest);
      else copyFileSync(entry.absolute, dest);
    } catch (err) {
      // Temporary files of the running collector may go between listing and copying.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(entry.absolute)) {
        skipped.push(entry.path);
        continue;
      }
      throw err;
    }
    chmodSync(dest, entry.mode);
    files.push({ path: entry.path, kind, bytes: statSync(dest).size, sha256: await sha256File(dest), mode: entry.mode });
    log.debug({ file: entry.path, kind }, 'backed up');
  }

  const manifest = BackupManifestSchema.parse({
    format: 'patrol-collector-backup',
    formatVersion: 1,
    patrolVersion: PATROL_VERSION,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    sourceDataDir: dataDir,
    schemaVersions: appliedMigrations(join(outDir, FILES_DIR, 'patrol.db')),
    metricsStore: opts.metricsStore,
    files,
  });
  writeFileSync(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  log.info({ outDir, files: files.length, bytes: files.reduce((n, f) => n + f.bytes, 0), skipped }, 'backup written');
  return { manifest, skipped };
}

/** Versions of the migrations a patrol.db has had applied. */
export function appliedMigrations(path: string): number[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);
  } finally {
    db.close();
  }
}
