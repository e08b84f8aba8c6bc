/**
 * A token bucket: `perMin` tokens a minute, at most `burst` saved up. A take may overdraw it as long as one
 * token is there, so a request larger than the burst (a big batch) still passes once, and pays for it after.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;
  private readonly perMs: number;

  constructor(perMin: number, private readonly burst: number, now: number) {
    this.perMs = perMin / 60_000;
    this.tokens = burst;
    this.at = now;
  }

  /** Take `n` tokens: 0 when taken, otherwise the ms to wait before asking again (nothing is taken). */
  take(n: number, now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.at) * this.perMs);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= n;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.perMs);
  }
}
