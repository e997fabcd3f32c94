// The client's view of the server's rapid-reset limit.
//
// Since CVE-2023-44487 ("rapid reset"), nghttp2 servers (every node:http2 server, so every grpc-js
// and safestub server) keep a token bucket of incoming RST_STREAMs per connection: 1,000 tokens,
// 33 back per second. When it runs dry the server sends GOAWAY(INTERNAL_ERROR) and every other call
// on that connection fails. Node 20 offers no option to change it, and a client that cancels a lot
// (deadlines, hedged reads, users navigating away) is not an attacker. So the client keeps the same
// bucket for each connection and moves new calls to a fresh one before the bucket runs dry.

/** The rate limit to stay under: nghttp2's defaults unless told otherwise. */
export interface ResetLimit {
  /** Resets a connection may take at once (nghttp2: 1000). */
  burst: number;
  /** Resets per second it regains (nghttp2: 33). */
  perSecond: number;
}

export const nghttp2ResetLimit: ResetLimit = { burst: 1000, perSecond: 33 };

/**
 * A token bucket mirroring the server's: `spend()` for every reset this
 * client sends on the connection, `exhausted()` once fewer than a quarter of
 * the tokens are left (the rest is the margin for calls already in flight
 * on the connection, which may still be cancelled after new calls moved on).
 */
export class ResetBudget {
  readonly #limit: ResetLimit;
  #tokens: number;
  #updatedAt: number;

  constructor(limit: ResetLimit, now = Date.now()) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#updatedAt = now;
  }

  spend(now = Date.now()): void {
    this.#refill(now);
    this.#tokens -= 1;
  }

  exhausted(now = Date.now()): boolean {
    this.#refill(now);
    return this.#tokens < this.#limit.burst / 4;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#limit.perSecond);
    this.#updatedAt = now;
  }
}
