import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync, readdirSync, lstatSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** sha256 of a file, streamed (metrics.db can be gigabytes). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** True for a SQLite database file (by its 16-byte header, whatever its name). */
export function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** A database's side files: their content is part of the database and travels inside its online backup. */
export const SQLITE_SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

export interface DataDirEntry {
  /** Relative to the data dir, with forward slashes (the manifest's form). */
  path: string;
  absolute: string;
  mode: number;
}

/**
 * Every regular file under `root`, sorted. Symlinks, sockets and the like are listed apart: a backup of
 * what a link points to could be anything, so the caller reports them instead of following them.
 */
export function listFiles(root: string): { files: DataDirEntry[]; skipped: string[] } {
  const files: DataDirEntry[] = [];
  const skipped: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const absolute = join(dir, name);
      const st = lstatSync(absolute);
      const path = relative(root, absolute).split(sep).join('/');
      if (st.isDirectory()) walk(absolute);
      else if (st.isFile()) files.push({ path, absolute, mode: st.mode & 0o7777 });
      else skipped.push(path);
    }
  };
  walk(root);
  return { files, skipped };
}
