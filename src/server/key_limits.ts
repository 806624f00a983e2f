/**
 * Per-key limits: requests per minute (a token bucket that refills continuously, so a burst
 * of a minute's worth is allowed and then one request every 60/N seconds), backend turns at
 * once, and tokens per UTC day. Exceeding one is a 429 with `Retry-After` and a message that
 * names the limit. Counters live in memory: a restart starts a new minute and a new day.
 * @module
 */
import { ApiError } from "./api_error.ts";

/** The limits of one key; 0 means no limit. */
export interface LimitSettings {
  requestsPerMinute: number;
  concurrentTurns: number;
  tokensPerDay: number;
}

/** Which limit refused a request (the `limit` label of `clinvk_rate_limited_total`). */
export type LimitName = "requests_per_minute" | "concurrent_turns" | "tokens_per_day";

const DAY_MS = 86_400_000;

interface KeyState {
  tokens: number;
  refilledAt: number;
  running: number;
  day: number;
  usedToday: number;
}

/** The limits of every key, enforced. */
export class KeyLimits {
  readonly #settings: LimitSettings;
  readonly #now: () => number;
  readonly #onLimited: (key: string, limit: LimitName) => void;
  readonly #keys = new Map<string, KeyState>();

  /**
   * @param now milliseconds since the epoch (the clock)
   * @param onLimited called for every refusal (metrics)
   */
  constructor(
    settings: LimitSettings,
    now: () => number,
    onLimited: (key: string, limit: LimitName) => void = () => {},
  ) {
    this.#settings = settings;
    this.#now = now;
    this.#onLimited = onLimited;
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = {
        tokens: this.#settings.requestsPerMinute,
        refilledAt: this.#now(),
        running: 0,
        day: Math.floor(this.#now() / DAY_MS),
        usedToday: 0,
      };
      this.#keys.set(key, state);
    }
    return state;
  }

  #refuse(key: string, limit: LimitName, message: string, retryAfterSeconds: number): never {
    this.#onLimited(key, limit);
    throw new ApiError("rate_limit", message, {
      retryAfterSeconds,
      code: "rate_limit_exceeded",
      limit: limit === "tokens_per_day" ? "tokens" : "requests",
    });
  }

  /** Counts one request of `key`; throws a 429 {@linkcode ApiError} over the per-minute limit. */
  takeRequest(key: string): void {
    const limit = this.#settings.requestsPerMinute;
    if (limit <= 0) return;
    const state = this.#state(key);
    const now = this.#now();
    const perMs = limit / 60_000;
    state.tokens = Math.min(limit, state.tokens + (now - state.refilledAt) * perMs);
    state.refilledAt = now;
    if (state.tokens >= 1) {
      state.tokens -= 1;
      return;
    }
    this.#refuse(
      key,
      "requests_per_minute",
      `API key "${key}" is over its limit of ${limit} requests per minute`,
      (1 - state.tokens) / perMs / 1000,
    );
  }

  /**
   * Claims one running turn for `key`; returns the function that gives it back. Throws a 429
   * over the concurrent-turn limit or when today's tokens are used up.
   */
  startTurn(key: string): () => void {
    const state = this.#state(key);
    this.#rollDay(state);
    const { concurrentTurns, tokensPerDay } = this.#settings;
    if (tokensPerDay > 0 && state.usedToday >= tokensPerDay) {
      const nextDay = (state.day + 1) * DAY_MS;
      this.#refuse(
        key,
        "tokens_per_day",
        `API key "${key}" has used its ${tokensPerDay} tokens for today (UTC)`,
        (nextDay - this.#now()) / 1000,
      );
    }
    if (concurrentTurns > 0 && state.running >= concurrentTurns) {
      this.#refuse(
        key,
        "concurrent_turns",
        `API key "${key}" already has ${state.running} turns running, its limit`,
        1,
      );
    }
    state.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.running--;
    };
  }

  /** Adds the tokens a finished turn of `key` used to today's total. */
  addTokens(key: string, tokens: number): void {
    const state = this.#state(key);
    this.#rollDay(state);
    state.usedToday += tokens;
  }

  #rollDay(state: KeyState): void {
    const day = Math.floor(this.#now() / DAY_MS);
    if (day !== state.day) {
      state.day = day;
      state.usedToday = 0;
    }
  }
}
