import { createHash } from 'node:crypto';
import type { Executor } from '../define.js';
import type { Said } from '../message-text.js';
import { say } from './messages.js';

/**
 * Byte-exact reading of log files through a check's executor, locally or over SSH. The executor hands back
 * stdout as UTF-8 text, which would mangle a log in GBK or with broken bytes (and make byte offsets drift),
 * so the bytes travel as base64 and are counted here, never re-encoded text.
 */

/** Thrown when a log file cannot be looked at or read; the check turns it into UNKNOWN with what it says. */
export class LogReadError extends Error {
  constructor(readonly said: Said) {
    super(said.summary);
  }
}

export interface LogIo {
  exec: Executor;
  signal?: AbortSignal;
}

export interface LogFileStat {
  path: string;
  inode: number;
  sizeBytes: number;
  mtimeSec: number;
}

export interface ByteRange {
  path: string;
  offset: number;
  count: number;
}

/** The first bytes of a file, hashed: tells "the same file" from "emptied and written again" (Zabbix logrt does the same with md5). */
export interface HeadFingerprint {
  bytes: number;
  sha256: string;
}

/** 256 bytes: a log's first line or two with their timestamps, enough to tell two files of one log apart. */
export const HEAD_BYTES = 256;

/** Rotated files in these formats cannot be read with dd; lines left in them are lost (and said so). */
const COMPRESSED_NAME = /\.(gz|bz2|xz|zst|lz4|lzma|z|zip|7z)$/i;

const STAT_LINE = /^(\d+) (\d+) (\d+) ([0-9a-f]+) (.*)$/;
/** S_IFMT / S_IFREG from stat(2). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

export async function statLogFile(io: LogIo, path: string): Promise<LogFileStat> {
  const r = await io.exec.exec('stat', ['-L', '-c', '%i %s %Y', '--', path], { signal: io.signal });
  const m = r.code === 0 ? /^(\d+) (\d+) (\d+)\n?$/.exec(r.stdout) : null;
  if (!m) throw new LogReadError(say('system.log.statFailed', { path, error: firstLine(r.stderr) || (r.timedOut ? 'timed out' : `exit ${r.code}`) }));
  return { path, inode: Number(m[1]), sizeBytes: Number(m[2]), mtimeSec: Number(m[3]) };
}

/**
 * Regular files in the log's folder whose names start with the log's name, or with its name without the
 * extension (`app.log.1`, `app.log-20261125`, `app-20261125.log`), newest first; the log itself and
 * compressed files left out. These are where logrotate puts the old file.
 */
export async function listRotatedCandidates(io: LogIo, path: string): Promise<LogFileStat[]> {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = path.slice(0, slash + 1) + (dot > 0 ? name.slice(0, dot) : name);
  // "$1"* globs only after the quoted part: a name with spaces or glob characters is taken literally.
  // No match leaves the pattern itself, which stat refuses on stderr (ignored: no candidates is an answer).
  const r = await io.exec.exec('sh', ['-c', `exec stat -L -c '%i %s %Y %f %n' -- "$1"* 2>/dev/null`, 'sh', stem], {
    signal: io.signal,
    maxOutputBytes: 4 * 2 ** 20,
  });
  if (r.timedOut) throw new LogReadError(say('system.log.listFailed', { path, error: 'timed out' }));
  const found: LogFileStat[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = STAT_LINE.exec(line);
    if (!m) continue;
    const mode = parseInt(m[4]!, 16);
    const candidate = m[5]!;
    if ((mode & S_IFMT) !== S_IFREG || candidate === path || COMPRESSED_NAME.test(candidate)) continue;
    found.push({ path: candidate, inode: Number(m[1]), sizeBytes: Number(m[2]), mtimeSec: Number(m[3]) });
  }
  return found.sort((a, b) => b.mtimeSec - a.mtimeSec);
}

/**
 * Read byte ranges (of one or several files) in one command: GNU dd from each offset, base64 on the way
 * back. A range whose file is shorter than asked comes back short; exactly what was there is counted.
 */
export async function readByteRanges(io: LogIo, ranges: readonly ByteRange[]): Promise<Buffer[]> {
  const wanted = ranges.filter((r) => r.count > 0);
  if (!wanted.length) return ranges.map(() => Buffer.alloc(0));
  // Each range: its base64 (76-char lines) and a "." line; "." is not in the base64 alphabet.
  const script = [
    'while [ "$#" -ge 3 ]; do',
    '  dd if="$1" bs=65536 iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none | base64',
    '  echo .',
    '  shift 3',
    'done',
  ].join('\n');
  const args = wanted.flatMap((r) => [r.path, String(r.offset), String(r.count)]);
  const b64Chars = wanted.reduce((n, r) => {
    const chars = 4 * Math.ceil(r.count / 3);
    return n + chars + Math.ceil(chars / 76) + 2;
  }, 0);
  const r = await io.exec.exec('sh', ['-c', script, 'sh', ...args], { signal: io.signal, maxOutputBytes: b64Chars + 64 });
  const paths = [...new Set(wanted.map((w) => w.path))].join(', ');
  // A failing dd in the pipe leaves base64's exit status 0: its message on stderr is the sign.
  if (r.code !== 0 || r.stderr.trim()) {
    throw new LogReadError(say('system.log.readFailed', { path: paths, error: firstLine(r.stderr) || (r.timedOut ? 'timed out' : `exit ${r.code}`) }));
  }
  const blocks: Buffer[] = [];
  let pending: string[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '.') {
      blocks.push(Buffer.from(pending.join(''), 'base64'));
      pending = [];
    } else if (line) pending.push(line);
  }
  if (blocks.length !== wanted.length) throw new LogReadError(say('system.log.partsMissing', { path: paths, got: blocks.length, wanted: wanted.length }));
  let next = 0;
  return ranges.map((range) => (range.count > 0 ? blocks[next++]! : Buffer.alloc(0)));
}

export function fingerprintHead(head: Buffer): HeadFingerprint {
  const bytes = Math.min(head.length, HEAD_BYTES);
  return { bytes, sha256: createHash('sha256').update(head.subarray(0, bytes)).digest('hex') };
}

/** Whether a file that starts with `head` (at least its first HEAD_BYTES) is the file the fingerprint was taken of. */
export function headMatches(fp: HeadFingerprint, head: Buffer): boolean {
  if (head.length < fp.bytes) return false;
  return createHash('sha256').update(head.subarray(0, fp.bytes)).digest('hex') === fp.sha256;
}

export interface CompleteLines {
  /** Each line without its "\n". */
  lines: Buffer[];
  /** Bytes of `buf` the lines took (with their newlines); the rest is a partial line to read again. */
  consumedBytes: number;
}

/**
 * Split bytes at "\n" (0x0A; never part of a GBK, GB18030, Big5 or UTF-8 multi-byte character). A last line
 * without a newline is left unread, so the next run reads it whole, unless the file is finished (a rotated
 * file nobody writes to) or the partial line alone reaches `longestPartialBytes` (it would never fit a read).
 */
export function completeLines(buf: Buffer, finished: boolean, longestPartialBytes: number): CompleteLines {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
    lines.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  if (start < buf.length && (finished || buf.length - start >= longestPartialBytes)) {
    lines.push(buf.subarray(start));
    start = buf.length;
  }
  return { lines, consumedBytes: start };
}
