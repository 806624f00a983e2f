/**
 * The server's Prometheus metrics and their text exposition format (version 0.0.4).
 *
 * Written here rather than taken from `prom-client`: that package makes `deno compile` overflow
 * its stack, and the server needs only counters, gauges and histograms with labels.
 * @module
 */

type Labels = Readonly<Record<string, string>>;

/** Prometheus label values escape `\`, `"` and newlines. */
function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function labelText(names: readonly string[], labels: Labels, extra?: [string, string]): string {
  const pairs = names.map((name) => `${name}="${escapeLabel(labels[name] ?? "")}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function keyOf(names: readonly string[], labels: Labels): string {
  return JSON.stringify(names.map((name) => labels[name] ?? ""));
}

/** One metric family. */
interface Family {
  render(): string;
}

/** A counter or gauge with labels. */
class Series implements Family {
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    readonly labelNames: readonly string[],
  ) {}

  /** Adds `by` (default 1); gauges may go down with a negative `by`. */
  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(this.labelNames, labels);
    const entry = this.#values.get(key);
    if (entry) entry.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  /** The current value for `labels` (0 when never set). */
  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(this.labelNames, labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.#values.values()) {
      lines.push(`${this.name}${labelText(this.labelNames, labels)} ${value}`);
    }
    return lines.join("\n");
  }
}

/** A monotonic counter. */
export type Counter = Pick<Series, "inc" | "get">;
/** A value that goes up and down. */
export type Gauge = Pick<Series, "inc" | "get">;

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** Everything `GET /metrics` reports. */
export interface ServerMetrics {
  /** Requests by method, route (the route's pattern, not the raw path) and status. */
  readonly requests: Counter;
  /** Request durations, streams until their last byte. */
  readonly requestSeconds: Histogram;
  /** Backend turn durations by backend and outcome (`ok`, `failed`). */
  readonly turnSeconds: Histogram;
  /** Backend processes running now, by backend. */
  readonly runningTurns: Gauge;
  /** Tokens used by turns, by backend and direction (`input`, `output`). */
  readonly tokens: Counter;
  /** Requests refused by a per-key limit, by key name and limit. */
  readonly rateLimited: Counter;
  /** Time spent in session-store calls (its lock waits included), by operation. */
  readonly storeSeconds: Histogram;
  /** The exposition text. */
  render(): string;
}

/** Creates the metrics; `residentMemoryBytes` is read at each scrape. */
export function createServerMetrics(residentMemoryBytes: () => number): ServerMetrics {
  const requests = new Series(
    "clinvk_http_requests_total",
    "HTTP requests by method, route and status.",
    "counter",
    ["method", "route", "status"],
  );
  const requestSeconds = new Histogram(
    "clinvk_http_request_duration_seconds",
    "HTTP request durations (streams until their last byte).",
    ["method", "route"],
    SECONDS_BUCKETS,
  );
  const turnSeconds = new Histogram(
    "clinvk_turn_duration_seconds",
    "Backend turn durations by backend and outcome.",
    ["backend", "outcome"],
    SECONDS_BUCKETS,
  );
  const runningTurns = new Series(
    "clinvk_backend_processes",
    "Backend processes running now.",
    "gauge",
    ["backend"],
  );
  const tokens = new Series(
    "clinvk_tokens_total",
    "Tokens used by backend turns.",
    "counter",
    ["backend", "direction"],
  );
  const rateLimited = new Series(
    "clinvk_rate_limited_total",
    "Requests refused with 429 by a per-key limit.",
    "counter",
    ["key", "limit"],
  );
  const storeSeconds = new Histogram(
    "clinvk_store_operation_duration_seconds",
    "Time spent in session-store calls, lock waits included.",
    ["operation"],
    SECONDS_BUCKETS,
  );
  const families: Family[] = [
    requests,
    requestSeconds,
    turnSeconds,
    runningTurns,
    tokens,
    rateLimited,
    storeSeconds,
  ];
  return {
    requests,
    requestSeconds,
    turnSeconds,
    runningTurns,
    tokens,
    rateLimited,
    storeSeconds,
    render() {
      const memory = [
        "# HELP process_resident_memory_bytes Resident memory size in bytes.",
        "# TYPE process_resident_memory_bytes gauge",
        `process_resident_memory_bytes ${residentMemoryBytes()}`,
      ].join("\n");
      return [...families.map((family) => family.render()), memory].join("\n\n") + "\n";
    },
  };
}

/** A histogram with fixed buckets (upper bounds in seconds). */
export class Histogram implements Family {
  readonly #series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {}

  /** Records one observation. */
  observe(labels: Labels, value: number): void {
    const key = keyOf(this.labelNames, labels);
    let entry = this.#series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, entry);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) entry.counts[i]!++;
    });
    entry.sum += value;
    entry.count++;
  }

  /** How many observations were recorded for `labels`. */
  count(labels: Labels): number {
    return this.#series.get(keyOf(this.labelNames, labels))?.count ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((bound, i) => {
        const le = labelText(this.labelNames, labels, ["le", String(bound)]);
        lines.push(`${this.name}_bucket${le} ${counts[i]}`);
      });
      lines.push(
        `${this.name}_bucket${labelText(this.labelNames, labels, ["le", "+Inf"])} ${count}`,
      );
      lines.push(`${this.name}_sum${labelText(this.labelNames, labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(this.labelNames, labels)} ${count}`);
    }
    return lines.join("\n");
  }
}
