/**
 * Pure renderers of sessions: the `sessions list` table and JSON items, and the labelled
 * `sessions show` view of the user's guide.
 * @module
 */
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionOverview } from "../sessions/store_types.ts";
import { relativeTime } from "./relative_time.ts";
import { escapeControl } from "./safe_text.ts";
import { renderTable } from "./table.ts";
import { formatCount } from "./turn_output.ts";

/** What the list shows for a session: its title, else its first prompt, on one line. */
export function sessionSummary(
  session: Pick<SessionOverview, "title" | "prompt" | "parent_id">,
): string {
  const text = session.title || session.prompt ||
    (session.parent_id ? `(fork of ${session.parent_id})` : "(no prompt)");
  // Most are one line of single spaces already: a test is cheaper than a replace.
  return LOOSE_SPACE.test(text) ? text.replace(/\s+/g, " ").trim() : text;
}

/** Whitespace that {@linkcode sessionSummary} changes: other than single inner spaces. */
const LOOSE_SPACE = /[^\S ]| {2}|^ | $/;

/** The `sessions list` table, newest first as given; with `cost`, a COST column. */
export function sessionsTable(
  sessions: readonly SessionOverview[],
  now: Date,
  width?: number,
  cost?: (id: string) => string,
): string {
  const rows = sessions.map((s) => [
    s.id,
    s.backend,
    s.status,
    relativeTime(new Date(s.last_used_at), now),
    String(s.token_usage.total),
    ...(cost ? [cost(s.id)] : []),
    sessionSummary(s),
  ]);
  return renderTable(
    ["ID", "BACKEND", "STATUS", "LAST USED", "TOKENS", ...(cost ? ["COST"] : []), "TITLE/PROMPT"],
    rows,
    width,
  );
}

/** One `sessions list --json` item (the catalog stores it in this form too). */
export { sessionListItem } from "../sessions/list_item.ts";

const LABEL_WIDTH = 19;

/** One labelled line; the value comes from a file, so its control characters show escaped. */
function line(label: string, value: string): string {
  return `${(label + ":").padEnd(LABEL_WIDTH)}${escapeControl(value)}\n`;
}

/** The labelled `sessions show` view. */
export function sessionDetails(session: SessionRecord, now: Date): string {
  const u = session.token_usage;
  const backendId = session.backend_session_id;
  const pendingFork = session.metadata.fork_of;
  let out = line("ID", session.id);
  if (session.title) out += line("Title", session.title);
  out += line("Backend", session.backend);
  out += line("Model", session.model ?? "(backend default)");
  out += line("Status", session.status);
  out += line("Created", session.created_at);
  out += line(
    "Last Used",
    `${session.last_used_at} (${relativeTime(new Date(session.last_used_at), now)})`,
  );
  out += line("Working Directory", session.workdir);
  out += line(
    "Backend Session",
    backendId ?? (pendingFork ? `(created on the first turn of this fork)` : "(none yet)"),
  );
  out += line(
    "Resumable",
    backendId
      ? `yes (backend_session_id ${backendId})`
      : pendingFork
      ? `yes (fork of backend_session_id ${pendingFork})`
      : "no (no backend_session_id yet)",
  );
  if (session.parent_id) out += line("Forked From", session.parent_id);
  out += line("Turns", String(session.turn_count));
  out += "Token Usage:\n";
  out += line("  Input", formatCount(u.input));
  out += line("  Output", formatCount(u.output));
  out += line("  Cached", formatCount(u.cached));
  out += line("  Total", formatCount(u.total));
  out += line("Tags", session.tags.length > 0 ? session.tags.join(", ") : "(none)");
  out += line("Prompt", session.prompt + (session.prompt_truncated ? " … (truncated)" : ""));
  if (session.metadata.exit_code !== undefined) {
    out += line("Last Exit Code", String(session.metadata.exit_code));
  }
  if (session.metadata.duration_seconds !== undefined) {
    out += line("Last Duration", `${session.metadata.duration_seconds} s`);
  }
  if (session.error) out += line("Error", session.error);
  return out;
}
