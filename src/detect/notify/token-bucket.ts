/**
 * A token bucket: `ratePerMinute` tokens a minute, at most `burst` saved up.
 * take() spends one if there is one; msUntilToken() says when the next one
 * comes. Time is read from the clock given (wall time: rate limits protect
 * people and receivers in real time, also when a capture file is read fast).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(ratePerMinute: number, burst: number, now: () => number) {
    this.perMs = ratePerMinute / 60_000;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
    this.now = now;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * this.perMs);
      this.last = t;
    }
  }

  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }
}
