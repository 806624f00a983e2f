/**
 * A session store that reports how long each call took (lock waits included) to the server's
 * metrics, so a store that is slowing requests down shows up in `GET /metrics`.
 * @module
 */
import type { SessionStore } from "../sessions/store_types.ts";
import type { Histogram } from "./metrics.ts";

/**
 * `store` with every asynchronous call timed into `histogram{operation}`; `now()` counts
 * milliseconds. A proxy, so methods the store gains later are timed too.
 */
export function timedStore(
  store: SessionStore,
  histogram: Histogram,
  now: () => number,
): SessionStore {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        const started = now();
        const result = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        const record = () => histogram.observe({ operation: property }, (now() - started) / 1000);
        return result.finally(record);
      };
    },
  });
}
