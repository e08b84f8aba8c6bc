import { z } from 'zod';
import { defineCheck, type CheckContext, type CheckOutcome } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import { formatZodError } from '../../shared/protocol.js';
import type { FieldsOf } from '../metric-declaration.js';
import { FILE } from './metrics.js';
import { part, say } from './messages.js';
import type { Said } from '../message-text.js';
import type { CheckMessagePart } from '../../shared/check-result.js';

const Params = z.object({
  /** One fixed file (a 'latest' symlink is followed). Either this, or `dir` with `pattern`. */
  path: z.string().min(1).optional(),
  /** A folder of dated backups: the newest file in it whose name matches `pattern` is judged. */
  dir: z.string().startsWith('/', 'an absolute path').optional(),
  /** A shell-style file name pattern (`*`, `?`, `[...]`) matched in `dir` only, e.g. `db_*.dump`. */
  pattern: z.string().min(1).regex(/^[^/]+$/, 'a file name pattern without "/"').optional(),
  warnAgeHours: z.number().positive().default(26),
  critAgeHours: z.number().positive().default(50),
  /** Smaller than this is a failed or truncated backup. */
  warnMinBytes: z.number().nonnegative().default(0),
  critMinBytes: z.number().nonnegative().default(1),
  /** A file that is not there at all (in `dir` mode: no file matches, or the folder is missing). */
  missingStatus: z.enum(['WARNING', 'CRITICAL', 'UNKNOWN']).default('CRITICAL'),
});
type FileParams = z.infer<typeof Params>;

/**
 * `path`, or `dir` with `pattern`. Checked when the check runs, not in Params: templates give part of the
 * parameters and hosts the rest, and the collector validates templates against Params made all-optional.
 */
const TargetRule = z
  .object({ path: z.string().optional(), dir: z.string().optional(), pattern: z.string().optional() })
  .superRefine((t, ctx) => {
    if (t.path !== undefined && (t.dir !== undefined || t.pattern !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either `path` or `dir` with `pattern`, not both' });
    } else if (t.path === undefined && (t.dir === undefined || t.pattern === undefined)) {
      ctx.addIssue({ code: 'custom', message: t.dir === undefined && t.pattern === undefined ? 'give `path`, or `dir` with `pattern`' : `\`${t.dir === undefined ? 'pattern' : 'dir'}\` needs \`${t.dir === undefined ? 'dir' : 'pattern'}\`` });
    }
  });

/** Lines of `stat -c '%Y %s %n'` a folder scan may print: 8 MiB is some 100,000 backups. */
const MAX_LISTING_BYTES = 8 * 1024 * 1024;

interface FileStat {
  path: string;
  mtimeMs: number;
  sizeBytes: number;
}

/**
 * A file's age and size, mostly to prove that last night's backup was written and is not empty: one fixed
 * `path`, or the newest file matching `pattern` in `dir` (backups named by date). Read with `stat` (and `find`)
 * through the executor, so it works the same over SSH.
 */
export default defineCheck({
  id: 'system.file',
  title: { en: 'File age and size', zh: '文件时间与大小' },
  params: Params,
  async run(ctx, p) {
    const target = TargetRule.safeParse(p);
    if (!target.success) return { status: 'UNKNOWN', ...say('system.file.badParams', { error: formatZodError(target.error) }) };
    return p.path !== undefined ? checkPath(ctx, p, p.path) : checkNewest(ctx, p, p.dir!, p.pattern!);
  },
});

async function checkPath(ctx: CheckContext, p: FileParams, path: string): Promise<CheckOutcome> {
  // %Y mtime (epoch s), %s size; -L follows a 'latest' symlink to the real backup; '--' so a path is never an option.
  const r = await ctx.exec.exec('stat', ['-L', '-c', '%Y %s', '--', path], { signal: ctx.signal });
  if (r.code !== 0) {
    if (/No such file or directory/i.test(r.stderr)) return missing(p, path, say('system.file.missing', { path }));
    return { status: 'UNKNOWN', ...say('system.file.statFailed', { path, error: firstLine(r.stderr) || `exit ${r.code}` }) };
  }
  const m = /^(\d+) (\d+)$/.exec(r.stdout.trim());
  if (!m) return { status: 'UNKNOWN', ...say('system.file.statUnexpected', { text: r.stdout.trim().slice(0, 100) }) };
  return judge(ctx, p, path, { path, mtimeMs: Number(m[1]) * 1000, sizeBytes: Number(m[2]) });
}

async function checkNewest(ctx: CheckContext, p: FileParams, dir: string, pattern: string): Promise<CheckOutcome> {
  const label = `${dir.replace(/\/+$/, '')}/${pattern}`;
  // find: the folder's own files only (no subfolders), -L so a symlinked folder or a 'latest' link is followed;
  // the pattern goes to -name as one argument, never through a shell. stat prints mtime, size and name per file.
  const r = await ctx.exec.exec(
    'find',
    ['-L', dir, '-mindepth', '1', '-maxdepth', '1', '-type', 'f', '-name', pattern, '-exec', 'stat', '-L', '-c', '%Y %s %n', '--', '{}', '+'],
    { signal: ctx.signal, maxOutputBytes: MAX_LISTING_BYTES, timeoutMs: 60_000 },
  );
  const files = parseListing(r.stdout);
  if (r.code !== 0 && files.length === 0) {
    if (/No such file or directory/i.test(r.stderr)) return missing(p, label, say('system.file.missing', { path: dir }));
    return { status: 'UNKNOWN', ...say('system.file.listFailed', { dir, error: firstLine(r.stderr) || (r.timedOut ? 'timed out' : `exit ${r.code}`) }) };
  }
  if (files.length === 0) return missing(p, label, say('system.file.noMatch', { dir, pattern }));
  // Newest by mtime; on a tie the name that sorts last (dated names: the later date).
  const newest = files.reduce((a, b) => (b.mtimeMs > a.mtimeMs || (b.mtimeMs === a.mtimeMs && b.path > a.path) ? b : a));
  return judge(ctx, p, label, newest, files.length);
}

/** `%Y %s %n` lines; a name may hold spaces, so everything after the second space is the name. */
function parseListing(stdout: string): FileStat[] {
  const files: FileStat[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\d+) (\d+) (.+)$/.exec(line);
    if (m) files.push({ mtimeMs: Number(m[1]) * 1000, sizeBytes: Number(m[2]), path: m[3]! });
  }
  return files;
}

function missing(p: FileParams, label: string, said: Said): CheckOutcome {
  return { status: p.missingStatus, ...said, metrics: [{ measurement: FILE.name, tags: { path: label }, fields: { exists: 0, ...(p.dir ? { matches: 0 } : {}) } satisfies FieldsOf<typeof FILE> }] };
}

/** Age and size against the limits. `label` is the path, or `dir/pattern` (one series however the newest is named). */
function judge(ctx: CheckContext, p: FileParams, label: string, f: FileStat, matches?: number): CheckOutcome {
  const ageSec = Math.max(0, (ctx.now() - f.mtimeMs) / 1000);
  const ageHours = ageSec / 3600;
  const statuses: Status[] = [statusAbove(ageHours, p.warnAgeHours, p.critAgeHours)];
  const problems: CheckMessagePart[] = [];
  if (statuses[0] !== 'OK') problems.push(part('system.file.older', { hours: statuses[0] === 'CRITICAL' ? p.critAgeHours : p.warnAgeHours }));
  // A size exactly at the minimum passes: "smaller than N bytes" is the alarm.
  const sizeStatus = f.sizeBytes < p.critMinBytes ? 'CRITICAL' : f.sizeBytes < p.warnMinBytes ? 'WARNING' : 'OK';
  statuses.push(sizeStatus);
  if (sizeStatus !== 'OK') problems.push(part('system.file.smaller', { bytes: sizeStatus === 'CRITICAL' ? p.critMinBytes : p.warnMinBytes }));
  const fields: FieldsOf<typeof FILE> = { exists: 1, age_sec: Math.round(ageSec), size_bytes: f.sizeBytes };
  if (matches !== undefined) fields.matches = matches;
  return {
    status: worstStatus(statuses),
    ...(matches === undefined
      ? say('system.file.one', { path: f.path, sizeBytes: f.sizeBytes, ageSec }, problems)
      : say('system.file.newest', { label, path: f.path, matches, sizeBytes: f.sizeBytes, ageSec }, problems)),
    metrics: [{ measurement: FILE.name, tags: { path: label }, fields }],
  };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
