/**
 * Reconnect delays: exponential with full jitter and a cap (the AWS architecture blog's "full jitter"),
 * so a thousand agents that lost the collector together do not come back in one wave.
 */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly baseMs = 1000,
    private readonly capMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(this.baseMs / 2 + this.random() * (ceiling - this.baseMs / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}
