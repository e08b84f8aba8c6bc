import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove } from '../../shared/status.js';
import { regexParam } from '../regex-param.js';

/** Where the last run stopped reading, and in which file (inode) that offset is valid. */
interface LogCursor {
  inode: number;
  offset: number;
}

/**
 * Count lines matching a regex written to a log file since the last run. Only the new bytes are read
 * (`dd` from the saved offset, so it works the same over SSH); an incomplete last line is left for the
 * next run. Rotation (a new inode) or truncation (file smaller than the offset) starts again from 0.
 */
export default defineCheck({
  id: 'system.log-pattern',
  title: { en: 'Log file pattern', zh: '日志关键字' },
  params: z.object({
    path: z.string().min(1),
    /** JavaScript regex, e.g. "ERROR|FATAL" or "Out of memory". */
    pattern: regexParam(),
    ignoreCase: z.boolean().default(false),
    warnCount: z.number().int().positive().default(1),
    critCount: z.number().int().positive().default(10),
    /** The first run starts at the end of the file: old errors were seen (or not) before monitoring began. */
    readExistingOnFirstRun: z.boolean().default(false),
    /** Never read more than this in one run; older new bytes are skipped and said so. */
    maxReadBytes: z.number().int().positive().max(64 * 2 ** 20).default(8 * 2 ** 20),
    /** Matching lines quoted in details. */
    maxLinesInDetails: z.number().int().nonnegative().default(20),
  }),
  async run(ctx, p) {
    let re: RegExp;
    try {
      re = new RegExp(p.pattern, p.ignoreCase ? 'i' : '');
    } catch (err) {
      return { status: 'UNKNOWN', summary: `bad pattern: ${(err as Error).message}` };
    }
    const st = await ctx.exec.exec('stat', ['-L', '-c', '%i %s', '--', p.path]);
    if (st.code !== 0) return { status: 'UNKNOWN', summary: `cannot stat ${p.path}: ${st.stderr.trim().split('\n')[0] || `exit ${st.code}`}` };
    const [inode, size] = st.stdout.trim().split(' ').map(Number) as [number, number];
    const prev = ctx.state.get<LogCursor>('cursor');
    let offset: number;
    let note = '';
    if (!prev) {
      offset = p.readExistingOnFirstRun ? 0 : size;
      if (!p.readExistingOnFirstRun) note = ' (first run: counting from now on)';
    } else if (prev.inode !== inode || size < prev.offset) {
      // Rotated (new inode) or truncated (copytruncate): the new file is read from its start.
      offset = 0;
      note = prev.inode !== inode ? ' (file was rotated)' : ' (file was truncated)';
    } else {
      offset = prev.offset;
    }
    let skipped = 0;
    if (size - offset > p.maxReadBytes) {
      skipped = size - offset - p.maxReadBytes;
      offset += skipped;
    }
    const want = size - offset;
    let text = '';
    if (want > 0) {
      const r = await ctx.exec.exec(
        'dd',
        [`if=${p.path}`, 'iflag=skip_bytes,count_bytes', `skip=${offset}`, `count=${want}`, 'status=none'],
        { maxOutputBytes: want + 1 },
      );
      if (r.code !== 0) return { status: 'UNKNOWN', summary: `cannot read ${p.path}: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}` };
      text = r.stdout;
    }
    // Count only complete lines; the partial last line is read again, whole, next time.
    const lastNewline = text.lastIndexOf('\n');
    const complete = lastNewline >= 0 ? text.slice(0, lastNewline + 1) : '';
    const consumedBytes = complete.length === text.length ? want : Buffer.byteLength(complete, 'utf8');
    ctx.state.set('cursor', { inode, offset: offset + consumedBytes } satisfies LogCursor);
    const matching = complete.split('\n').filter((line) => line !== '' && re.test(line));
    const count = matching.length;
    const status = statusAbove(count, p.warnCount, p.critCount);
    const skippedText = skipped ? `, skipped ${skipped} bytes over the read limit` : '';
    return {
      status,
      summary: `${count} lines matching /${p.pattern}/ in ${p.path} since the last run${note}${skippedText}`,
      details: count && p.maxLinesInDetails ? matching.slice(-p.maxLinesInDetails).join('\n').slice(0, 16000) : undefined,
      metrics: [{ measurement: 'log_pattern', tags: { path: p.path }, fields: { matches: count, bytes_read: consumedBytes, bytes_skipped: skipped } }],
    };
  },
});
