import { z } from 'zod';
import { defineCheck, type CheckContext } from '../define.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import { statusAbove } from '../../shared/status.js';
import { regexParam } from '../regex-param.js';
import {
  HEAD_BYTES,
  LogReadError,
  completeLines,
  fingerprintHead,
  headMatches,
  listRotatedCandidates,
  readByteRanges,
  statLogFile,
  type LogFileStat,
  type LogIo,
} from './log-reader.js';

/** Where the last run stopped reading: a byte offset, valid in one file (path and inode) that began with `head`. */
const LogCursorSchema = z.object({
  /** Absent in cursors saved before the path was kept. */
  path: z.string().optional(),
  inode: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  head: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string() }).optional(),
});
type LogCursor = z.infer<typeof LogCursorSchema>;

/** Any label TextDecoder knows, except UTF-16: its newlines are two bytes and not found by a byte search. */
const encodingParam = z
  .string()
  .refine((label) => {
    try {
      return !new TextDecoder(label).encoding.startsWith('utf-16');
    } catch {
      return false;
    }
  }, 'not an encoding this check can read (e.g. utf-8, gbk, gb18030, big5)')
  .default('utf-8');

const LogPatternParams = z.object({
  path: z.string().min(1),
  /** JavaScript regex, e.g. "ERROR|FATAL" or "Out of memory". */
  pattern: regexParam(),
  ignoreCase: z.boolean().default(false),
  /** How the log's bytes become text for the pattern; offsets are counted in bytes whatever it is. */
  encoding: encodingParam,
  warnCount: z.number().int().positive().default(1),
  critCount: z.number().int().positive().default(10),
  /** The first run starts at the end of the file: old errors were seen (or not) before monitoring began. */
  readExistingOnFirstRun: z.boolean().default(false),
  /** Never read more than this in one run; older new bytes are skipped and said so. */
  maxReadBytes: z.number().int().positive().max(64 * 2 ** 20).default(8 * 2 ** 20),
  /** Matching lines quoted in details. */
  maxLinesInDetails: z.number().int().nonnegative().default(20),
});
type LogPatternParams = z.infer<typeof LogPatternParams>;

/** Bytes [from, to) of one file to read this run. */
interface Segment {
  path: string;
  from: number;
  to: number;
  /** Nobody writes to it any more (the rotated file): a last line without a newline is a line. */
  finished: boolean;
  /** `from` was moved forward by maxReadBytes, maybe into the middle of a line. */
  cut: boolean;
}

/** At most this many rotated files are opened to find the copy of a truncated log. */
const MAX_CANDIDATES = 10;

/**
 * Count lines matching a regex written to a log file since the last run. Only the new bytes are read (dd
 * from the saved byte offset, so it works the same over SSH) and offsets are bytes, never characters, so
 * logs in GBK or with broken bytes keep an exact position; an incomplete last line is left for the next run.
 * Rotation (a new inode) first finishes the old file where logrotate moved it (`app.log.1`, `app.log-DATE`),
 * then reads the new one from 0; copytruncate (the file emptied, seen by its size or its first bytes) first
 * finishes the copy. A changed `path` starts as a first run.
 */
export default defineCheck({
  id: 'system.log-pattern',
  title: { en: 'Log file pattern', zh: '日志关键字' },
  params: LogPatternParams,
  async run(ctx, p) {
    let re: RegExp;
    try {
      re = new RegExp(p.pattern, p.ignoreCase ? 'i' : '');
    } catch (err) {
      return { status: 'UNKNOWN', ...say('system.log.badPattern', { error: (err as Error).message }) };
    }
    try {
      return await countNewMatches(ctx, { exec: ctx.exec, signal: ctx.signal }, p, re);
    } catch (err) {
      if (err instanceof LogReadError) return { status: 'UNKNOWN', ...err.said };
      throw err;
    }
  },
});

async function countNewMatches(ctx: CheckContext, io: LogIo, p: LogPatternParams, re: RegExp) {
  const file = await statLogFile(io, p.path);
  const { cursor: prev, pathChangedFrom } = savedCursor(ctx, p.path, file.inode);
  const notes: CheckMessagePart[] = [];

  // The file's first bytes: the fingerprint of a file we start on, and for a known file that grew, the proof
  // it was not emptied and written past the old offset since (copytruncate between two runs).
  let head = prev?.head;
  let currentHead: Buffer = Buffer.alloc(0);
  if (!prev || prev.inode !== file.inode || file.sizeBytes !== prev.offset) {
    if (file.sizeBytes > 0) [currentHead] = (await readByteRanges(io, [{ path: p.path, offset: 0, count: Math.min(HEAD_BYTES, file.sizeBytes) }])) as [Buffer];
    head = fingerprintHead(currentHead);
  }

  const segments: Segment[] = [];
  let mainFrom: number;
  if (!prev) {
    mainFrom = p.readExistingOnFirstRun ? 0 : file.sizeBytes;
    if (!p.readExistingOnFirstRun) notes.push(pathChangedFrom === undefined ? part('system.log.firstRun') : part('system.log.pathChanged', { from: pathChangedFrom }));
    else if (pathChangedFrom !== undefined) notes.push(part('system.log.pathChangedRead', { from: pathChangedFrom }));
  } else if (prev.inode !== file.inode) {
    const rest = await restOfOldFile(io, p.path, prev, 'inode');
    notes.push(rest ? (rest.to > rest.from ? part('system.log.rotatedRead', { path: rest.path }) : part('system.log.rotated')) : part('system.log.rotatedLost'));
    if (rest) segments.push(rest);
    mainFrom = 0;
  } else if (file.sizeBytes < prev.offset || (file.sizeBytes > prev.offset && prev.head && !headMatches(prev.head, currentHead))) {
    const rest = await restOfOldFile(io, p.path, prev, 'head');
    notes.push(rest ? part('system.log.truncatedRead', { path: rest.path }) : part('system.log.truncatedLost'));
    if (rest) segments.push(rest);
    mainFrom = 0;
  } else {
    mainFrom = prev.offset;
  }
  const main: Segment = { path: p.path, from: mainFrom, to: file.sizeBytes, finished: false, cut: false };
  segments.push(main);

  // Over the read limit: skip the oldest unread bytes, so the newest lines are the ones counted.
  let skipped = 0;
  let excess = segments.reduce((n, s) => n + s.to - s.from, 0) - p.maxReadBytes;
  for (const s of segments) {
    if (excess <= 0) break;
    const cut = Math.min(excess, s.to - s.from);
    s.from += cut;
    s.cut = true;
    skipped += cut;
    excess -= cut;
  }
  // A cut segment is read from one byte earlier: a newline there means it starts on a whole line.
  const bufs = await readByteRanges(
    io,
    segments.map((s) => {
      const back = s.cut && s.to > s.from ? 1 : 0;
      return { path: s.path, offset: s.from - back, count: s.to - s.from + back };
    }),
  );

  const decoder = new TextDecoder(p.encoding);
  const quoted: string[] = [];
  let count = 0;
  let bytesRead = 0;
  let nextOffset = main.from;
  segments.forEach((s, i) => {
    let buf: Buffer = bufs[i]!;
    let dropped = 0;
    if (s.cut && buf.length) {
      // The bytes up to the first newline are the tail of a line whose start was skipped.
      const nl = buf.indexOf(10);
      dropped = nl < 0 ? buf.length - 1 : nl;
      buf = nl < 0 ? Buffer.alloc(0) : buf.subarray(nl + 1);
    }
    skipped += dropped;
    const { lines, consumedBytes } = completeLines(buf, s.finished, p.maxReadBytes);
    bytesRead += consumedBytes;
    for (const bytes of lines) {
      const line = decoder.decode(bytes).replace(/\r$/, '');
      if (line === '' || !re.test(line)) continue;
      count++;
      quoted.push(line);
      if (quoted.length > p.maxLinesInDetails) quoted.shift();
    }
    if (s === main) nextOffset = s.from + dropped + consumedBytes;
  });
  ctx.state.set('cursor', { path: p.path, inode: file.inode, offset: nextOffset, head } satisfies LogCursor);

  const status = statusAbove(count, p.warnCount, p.critCount);
  return {
    status,
    ...say('system.log.matches', { count, pattern: p.pattern, path: p.path, skippedBytes: skipped || undefined }, notes),
    details: quoted.length ? quoted.join('\n').slice(0, 16000) : undefined,
    metrics: [{ measurement: 'log_pattern', tags: { path: p.path }, fields: { matches: count, bytes_read: bytesRead, bytes_skipped: skipped } }],
  };
}

/** The saved cursor if it belongs to this log; one for another path means the assignment's path was changed. */
function savedCursor(ctx: CheckContext, path: string, inode: number): { cursor?: LogCursor; pathChangedFrom?: string } {
  const raw = ctx.state.get('cursor');
  if (raw === undefined) return {};
  const parsed = LogCursorSchema.safeParse(raw);
  if (!parsed.success) {
    ctx.log.warn({ path }, 'saved log position is not readable; starting as on a first run');
    return {};
  }
  const cursor = parsed.data;
  // Saved before paths were kept: trusted only for the very same file.
  if (cursor.path === undefined) return cursor.inode === inode ? { cursor } : {};
  if (cursor.path !== path) return { pathChangedFrom: cursor.path };
  return { cursor };
}

/**
 * Where the lines after the saved offset went when the log was rotated: the file with the old inode
 * (logrotate's `create`: renamed), or a copy starting with the same bytes (`copytruncate`). Read from the
 * saved offset to its end.
 */
async function restOfOldFile(io: LogIo, path: string, prev: LogCursor, by: 'inode' | 'head'): Promise<Segment | undefined> {
  const candidates = (await listRotatedCandidates(io, path))
    .filter((c) => c.sizeBytes >= prev.offset && (by === 'head' || c.inode === prev.inode))
    .slice(0, MAX_CANDIDATES);
  const segment = (c: LogFileStat): Segment => ({ path: c.path, from: prev.offset, to: c.sizeBytes, finished: true, cut: false });
  const fingerprint = prev.head;
  if (!fingerprint || fingerprint.bytes === 0) {
    // Nothing to compare: only the inode can say which file it is (never enough for a copy).
    return by === 'inode' && candidates[0] ? segment(candidates[0]) : undefined;
  }
  if (!candidates.length) return undefined;
  // The inode is checked against the first bytes too: a deleted file's inode can be given to a new one.
  const heads = await readByteRanges(io, candidates.map((c) => ({ path: c.path, offset: 0, count: fingerprint.bytes })));
  const i = heads.findIndex((h) => headMatches(fingerprint, h));
  return i >= 0 ? segment(candidates[i]!) : undefined;
}
