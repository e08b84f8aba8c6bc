import type { Status } from '../../shared/status.js';

/**
 * Nagios-style flap detection: over the last 21 results (20 possible changes), each change is weighted
 * from 0.8 (oldest) to 1.2 (newest) so that recent changes count more; the sum over 20 is the flap
 * share. Flapping starts at or above the high mark and stops only below the low mark (hysteresis).
 * The marks come from the customer's contract; Nagios' 50 % / 25 % are the defaults.
 */
export const FLAP_WINDOW = 21;
export const FLAP_HIGH_PCT = 50;
export const FLAP_LOW_PCT = 25;

export interface FlapThresholds {
  flapHighPct: number;
  flapLowPct: number;
}

export function flapPercent(history: readonly Status[]): number {
  const h = history.slice(-FLAP_WINDOW);
  const changes = FLAP_WINDOW - 1;
  let sum = 0;
  // Align to the newest end so a short history counts as the most recent part of a full window.
  const offset = FLAP_WINDOW - h.length;
  for (let i = 1; i < h.length; i++) {
    if (h[i] !== h[i - 1]) {
      const position = offset + i - 1; // 0..19, oldest to newest change slot
      sum += 0.8 + (0.4 * position) / (changes - 1);
    }
  }
  return (sum / changes) * 100;
}

/** The next flapping flag given the current one and the history including the newest result. */
export function nextFlapping(
  wasFlapping: boolean,
  history: readonly Status[],
  marks: FlapThresholds = { flapHighPct: FLAP_HIGH_PCT, flapLowPct: FLAP_LOW_PCT },
): boolean {
  const pct = flapPercent(history);
  if (!wasFlapping) return pct >= marks.flapHighPct;
  return pct >= marks.flapLowPct;
}
