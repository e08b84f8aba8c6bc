import { MAX_FRAME_BYTES, type BatchFrameInput, type WireResult } from '../shared/protocol.js';

/** A batch's JSON stays under this: well below the collector's frame limit, with room for the envelope. */
export const BATCH_TARGET_BYTES = Math.floor(MAX_FRAME_BYTES * 0.75);

export type SpoolableBatch = Omit<BatchFrameInput, 'type' | 'seq'>;

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/**
 * Split what one flush produced into batches the collector will take. A frame over its 1 MiB limit would be
 * refused by closing the connection, and the agent would send it again after every reconnect, forever.
 * Results are kept whole where they fit; a result whose metrics alone are too big is sent as several copies,
 * each with a share of its lines (the copies' `check` points have the same time, and the ticket engine skips
 * a result not newer than the last it judged, so nothing is counted twice). A single line over the target is
 * dropped and counted: line protocol lines of real checks are far below it.
 */
export function splitBatch(batch: { results: WireResult[]; lines?: string; requestId?: string }, targetBytes = BATCH_TARGET_BYTES): { batches: SpoolableBatch[]; droppedPoints: number } {
  const batches: SpoolableBatch[] = [];
  let droppedPoints = 0;
  const base = (): SpoolableBatch => ({ results: [], ...(batch.requestId ? { requestId: batch.requestId } : {}) });
  let current: SpoolableBatch = { ...base(), ...(batch.lines ? { lines: batch.lines } : {}) };
  let currentBytes = jsonBytes(current);
  const push = (r: WireResult, bytes: number) => {
    if (currentBytes + bytes > targetBytes && current.results!.length) {
      batches.push(current);
      current = base();
      currentBytes = jsonBytes(current);
    }
    current.results!.push(r);
    currentBytes += bytes + 1;
  };
  for (const r of batch.results) {
    const bytes = jsonBytes(r);
    if (bytes <= targetBytes / 2 || !r.lines) {
      push(r, bytes);
      continue;
    }
    // Too big for one batch with others: copies of the result with a share of the lines each.
    const { lines, ...head } = r;
    const headBytes = jsonBytes(head) + 16;
    let part: string[] = [];
    let partBytes = headBytes;
    const flushPart = () => {
      if (!part.length) return;
      const copy: WireResult = { ...head, lines: part.join('\n') };
      push(copy, jsonBytes(copy));
      part = [];
      partBytes = headBytes;
    };
    for (const line of lines.split('\n')) {
      const lineBytes = jsonBytes(line);
      if (headBytes + lineBytes > targetBytes / 2) {
        droppedPoints++;
        continue;
      }
      if (partBytes + lineBytes > targetBytes / 2) flushPart();
      part.push(line);
      partBytes += lineBytes;
    }
    flushPart();
  }
  if (current.results!.length || current.lines || current.requestId || !batches.length) batches.push(current);
  // The collector's inspection waits for every part of a run-now answer, not just the first.
  if (batch.requestId && batches.length > 1) for (const b of batches) b.requestParts = batches.length;
  return { batches, droppedPoints };
}
