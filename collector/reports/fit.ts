/** Ordinary least squares through (x, y); null with fewer than two distinct x. */
export function linearFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

const DAY_MS = 86_400_000;

/**
 * Growth per day of a daily-mean series and the days until it reaches `full`: the slope of the
 * least-squares line (x in days), and (full - latest daily mean) / slope when the slope is positive.
 */
export function forecastFull(daily: readonly { time: number; value: number }[], full = 100): { perDay: number | null; daysUntilFull: number | null } {
  const fit = linearFit(daily.map((p) => ({ x: p.time / DAY_MS, y: p.value })));
  if (!fit) return { perDay: null, daysUntilFull: null };
  const latest = daily[daily.length - 1]!.value;
  const daysUntilFull = fit.slope > 0 ? Math.max(0, (full - latest) / fit.slope) : null;
  return { perDay: fit.slope, daysUntilFull };
}
