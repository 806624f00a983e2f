/**
 * "5 minutes ago" for the session list.
 * @module
 */

const UNITS: [name: string, seconds: number][] = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** Describes how long before `now` the instant `then` was, in English. */
export function relativeTime(then: Date, now: Date): string {
  const seconds = Math.floor((now.getTime() - then.getTime()) / 1000);
  if (Number.isNaN(seconds)) return "unknown";
  if (seconds < 0) return "in the future";
  if (seconds < 60) return "just now";
  for (const [name, size] of UNITS) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${name}${count === 1 ? "" : "s"} ago`;
  }
  return "just now";
}
