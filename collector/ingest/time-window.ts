import type { BatchFrame } from '../../shared/protocol.js';
import { lineTimeMs } from '../../shared/line-protocol.js';

export interface TimeWindow {
  /** How far ahead of `now` a time may be (clock skew allowance). */
  clockSkewMs: number;
  /** How far back (what an agent's spool can hold). */
  maxBacklogMs: number;
}

export interface OutOfWindow {
  kind: 'future' | 'past';
  /** Names the result or line, like a bad-frame message does. */
  message: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The first time in a batch outside the window around the collector's clock, or undefined when all are inside.
 * A time ahead of the clock by more than the skew allowance, or older than any spool holds, is not a real
 * agent's replay: it would rewrite a host's history (availability in SLA and inspection reports) or sit in the
 * future where every chart and "latest" figure would show it.
 */
export function outOfWindow(batch: Pick<BatchFrame, 'results' | 'lines'>, now: number, w: TimeWindow): OutOfWindow | undefined {
  const earliest = now - w.maxBacklogMs;
  const latest = now + w.clockSkewMs;
  const judge = (t: number, where: string): OutOfWindow | undefined => {
    if (t > latest) {
      return { kind: 'future', message: `${where}: time ${iso(t)} is more than ${Math.round(w.clockSkewMs / 1000)} s ahead of the collector's clock (${iso(now)}); check this host's clock` };
    }
    if (t < earliest) {
      return { kind: 'past', message: `${where}: time ${iso(t)} is older than ${Math.round(w.maxBacklogMs / 86_400_000)} days, more than the collector takes from an agent's spool` };
    }
    return undefined;
  };
  for (let i = 0; i < batch.results.length; i++) {
    const r = batch.results[i]!;
    const bad = judge(r.startedAt, `results.${i}.startedAt`);
    if (bad) return bad;
    for (let j = 0; j < r.lines.length; j++) {
      const badLine = judge(lineTimeMs(r.lines[j]!), `results.${i}.lines: line ${j + 1}`);
      if (badLine) return badLine;
    }
  }
  for (let j = 0; j < batch.lines.length; j++) {
    const bad = judge(lineTimeMs(batch.lines[j]!), `lines: line ${j + 1}`);
    if (bad) return bad;
  }
  return undefined;
}
