import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BatchFrameSchema, type BatchFrameInput } from '../shared/protocol.js';
import { createLogger } from '../shared/logger.js';

const log = createLogger('spool');

const MetaSchema = z.object({ nextSeq: z.number().int().nonnegative(), droppedPoints: z.number().int().nonnegative(), droppedBatches: z.number().int().nonnegative() });

interface Entry {
  seq: number;
  bytes: number;
  points: number;
  createdAt: number;
}

export interface SpoolStats {
  bytes: number;
  limitBytes: number;
  batches: number;
  oldestAgeSec: number;
  droppedPoints: number;
  droppedBatches: number;
}

/** 100 MB: the default; about a week of one host's results at 60 s intervals. */
export const DEFAULT_SPOOL_LIMIT_BYTES = 100 * 1024 * 1024;

/** Batch texts kept in memory for sending (an idle host's batch is 2-3 kB; an outage's backlog stays on disk). */
const RECENT_TEXT_LIMIT = 256 * 1024;

const FILE_RE = /^(\d{12})\.json$/;

/**
 * The agent's on-disk queue of batches: a batch is written (and fsynced) here before it is sent and deleted
 * only when its ack arrives, so nothing is lost across disconnects, collector crashes or agent restarts.
 * Bounded: past the limit the oldest batches go, and the points they held are counted and reported.
 */
export class Spool {
  private readonly entries = new Map<number, Entry>();
  private meta: z.infer<typeof MetaSchema> = { nextSeq: 0, droppedPoints: 0, droppedBatches: 0 };
  private totalBytes = 0;
  /** Texts of the batches spooled lately by this process, oldest first (frameText). */
  private readonly recent = new Map<number, string>();
  private recentBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly limitBytes = DEFAULT_SPOOL_LIMIT_BYTES,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.load();
  }

  private load(): void {
    try {
      this.meta = MetaSchema.parse(JSON.parse(readFileSync(join(this.dir, 'meta.json'), 'utf8')));
    } catch {
      // First start, or a meta file lost in a crash: rebuilt from the batch files below.
    }
    for (const name of readdirSync(this.dir)) {
      const m = FILE_RE.exec(name);
      if (!m) {
        if (name.endsWith('.tmp')) unlinkSync(join(this.dir, name));
        continue;
      }
      const seq = Number(m[1]);
      const st = statSync(join(this.dir, name));
      this.entries.set(seq, { seq, bytes: st.size, points: -1, createdAt: st.mtimeMs });
      this.totalBytes += st.size;
      this.meta.nextSeq = Math.max(this.meta.nextSeq, seq + 1);
    }
    if (this.entries.size) log.info({ batches: this.entries.size, bytes: this.totalBytes }, 'spool has unsent batches from before; they will be replayed');
  }

  /** Save the figures; on a full disk the oldest batches make room (counted), so a dropped count is never lost. */
  private saveMeta(): void {
    const tmp = join(this.dir, 'meta.json.tmp');
    for (;;) {
      try {
        writeFileSync(tmp, JSON.stringify(this.meta));
        renameSync(tmp, join(this.dir, 'meta.json'));
        return;
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        rmSync(tmp, { force: true });
        if (this.entries.size === 0) {
          log.error('disk full: spool figures not saved this time');
          return;
        }
        this.dropOldest('disk full');
      }
    }
  }

  private file(seq: number): string {
    return join(this.dir, `${String(seq).padStart(12, '0')}.json`);
  }

  /**
   * Give the batch its sequence number and make it durable. When the disk is full (a small partition, another
   * program's files) the oldest batches go to make room, counted as dropped like those past the limit; with nothing
   * left to drop the new batch itself is counted as dropped. A full disk never stops the agent.
   */
  put(batch: Omit<BatchFrameInput, 'type' | 'seq'>): BatchFrameInput {
    const seq = this.meta.nextSeq++;
    const frame: BatchFrameInput = { type: 'batch', seq, ...batch };
    const text = JSON.stringify(frame);
    const points = countPoints(frame);
    while (!this.writeBatchFile(seq, text)) {
      if (this.entries.size === 0) {
        this.meta.droppedPoints += points;
        this.meta.droppedBatches++;
        log.error({ seq, points }, 'disk full and the spool is empty: batch dropped');
        this.saveMeta();
        return frame;
      }
      this.dropOldest('disk full');
    }
    const bytes = Buffer.byteLength(text);
    this.entries.set(seq, { seq, bytes, points, createdAt: this.now() });
    this.totalBytes += bytes;
    this.remember(seq, text);
    // enforceLimit saves the figures (and the new nextSeq) once, whether or not it dropped anything.
    this.enforceLimit();
    return frame;
  }

  /** Write (fsync, rename) one batch file; false when the disk is full (nothing is left behind then). */
  private writeBatchFile(seq: number, text: string): boolean {
    const tmp = `${this.file(seq)}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeFileSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file(seq));
      return true;
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      rmSync(tmp, { force: true });
      return false;
    }
  }

  private dropOldest(why: string): void {
    const oldest = Math.min(...this.entries.keys());
    const e = this.entries.get(oldest)!;
    const frame = e.points >= 0 ? undefined : this.read(oldest);
    const points = e.points >= 0 ? e.points : frame ? countPoints(frame) : 0;
    this.remove(oldest);
    this.meta.droppedPoints += points;
    this.meta.droppedBatches++;
    log.warn({ seq: oldest, points, limitBytes: this.limitBytes, why }, 'spool full: oldest batch dropped');
  }

  private enforceLimit(): void {
    while (this.totalBytes > this.limitBytes && this.entries.size > 1) this.dropOldest('limit');
    this.saveMeta();
  }

  /** Keep the text of a batch this agent just spooled, so sending it needs no read of the disk (bounded). */
  private remember(seq: number, text: string): void {
    this.recent.set(seq, text);
    this.recentBytes += text.length;
    for (const [old, t] of this.recent) {
      if (this.recentBytes <= RECENT_TEXT_LIMIT || this.recent.size <= 1) break;
      this.recent.delete(old);
      this.recentBytes -= t.length;
    }
  }

  private forget(seq: number): void {
    const t = this.recent.get(seq);
    if (t === undefined) return;
    this.recent.delete(seq);
    this.recentBytes -= t.length;
  }

  /**
   * The batch as it goes on the wire. One this agent spooled since it started is the text it wrote, made from its
   * own typed results: neither read back nor checked again (on an idle host reading, parsing and validating each
   * batch before sending was a good part of the agent's own CPU, issue 17). One from the disk (spooled before a
   * restart, or past the memory kept) is read and checked as `read` does.
   */
  frameText(seq: number): string | undefined {
    const own = this.recent.get(seq);
    if (own !== undefined && this.entries.has(seq)) return own;
    return this.readChecked(seq)?.text;
  }

  /** The batch as it was spooled (wire form), once it proved a valid frame; a damaged file is dropped. */
  read(seq: number): BatchFrameInput | undefined {
    return this.readChecked(seq)?.frame;
  }

  private readChecked(seq: number): { frame: BatchFrameInput; text: string } | undefined {
    if (!this.entries.has(seq)) return undefined;
    try {
      const text = readFileSync(this.file(seq), 'utf8');
      const json: unknown = JSON.parse(text);
      BatchFrameSchema.parse(json);
      return { frame: json as BatchFrameInput, text };
    } catch (err) {
      log.error({ seq, err: (err as Error).message }, 'unreadable spool file; dropping it');
      this.remove(seq);
      this.meta.droppedBatches++;
      this.saveMeta();
      return undefined;
    }
  }

  /** Points lost before they reached the spool (reported with the others in the agent's own figures). */
  countDropped(points: number): void {
    this.meta.droppedPoints += points;
    this.saveMeta();
  }

  /** The collector stored it: forget it. */
  ack(seq: number): void {
    this.remove(seq);
  }

  /** A batch the collector can never accept (invalid): drop it and count its points as lost. */
  reject(seq: number): void {
    const f = this.read(seq);
    this.remove(seq);
    this.meta.droppedPoints += f ? countPoints(f) : 0;
    this.meta.droppedBatches++;
    this.saveMeta();
  }

  private remove(seq: number): void {
    const e = this.entries.get(seq);
    if (!e) return;
    this.entries.delete(seq);
    this.forget(seq);
    this.totalBytes -= e.bytes;
    try {
      unlinkSync(this.file(seq));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** The number the next batch will get: everything below it is already spooled. */
  nextSeq(): number {
    return this.meta.nextSeq;
  }

  /** Unacked sequence numbers, oldest first. */
  pending(): number[] {
    return [...this.entries.keys()].sort((a, b) => a - b);
  }

  stats(): SpoolStats {
    let oldest = Infinity;
    for (const e of this.entries.values()) oldest = Math.min(oldest, e.createdAt);
    return {
      bytes: this.totalBytes,
      limitBytes: this.limitBytes,
      batches: this.entries.size,
      oldestAgeSec: oldest === Infinity ? 0 : Math.max(0, Math.round((this.now() - oldest) / 1000)),
      droppedPoints: this.meta.droppedPoints,
      droppedBatches: this.meta.droppedBatches,
    };
  }
}

/** No room left on the spool's file system (ENOSPC), or the user's quota is used up (EDQUOT). */
function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Points a spooled batch holds: one `check` point per result plus every metric, in lines or objects. */
export function countPoints(b: Pick<BatchFrameInput, 'results' | 'metrics' | 'lines'>): number {
  const lineCount = (text: string | undefined) => (text ? text.split('\n').length : 0);
  const own = (x: { metrics?: readonly unknown[]; lines?: string }) => (x.metrics?.length ?? 0) + lineCount(x.lines);
  return own(b) + (b.results ?? []).reduce((n, r) => n + 1 + own(r), 0);
}
