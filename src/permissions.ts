/**
 * The Deno permissions clinvk runs with: one list for the README's Permissions table, the
 * `clinvk` task and the flags baked into the compiled binaries, so they cannot drift apart.
 * @module
 */

/** One Deno permission flag clinvk needs, and what it is for. */
export interface Permission {
  /** The flag as passed to `deno run` or `deno compile`, e.g. `--allow-read`. */
  readonly flag: string;
  /** What clinvk uses it for, as the README's Permissions table says. */
  readonly why: string;
}

/**
 * Every permission clinvk needs, and never `-A`. The network is needed only by `clinvk serve`
 * (to listen on the loopback address it binds by default) and by runs across machines (to reach
 * the NATS server); clinvk never talks to the backends' APIs, the backend CLIs do that.
 */
export const PERMISSIONS: readonly Permission[] = [
  {
    flag: "--allow-read",
    why: "`CLINVK_HOME` (config, sessions, runs), the working directory (real path, git check), " +
      "run files (`-f`), Gemini's chat folder (forks, clean-up after a turn), Codex's `config.toml` (model name)",
  },
  {
    flag: "--allow-write",
    why: "`CLINVK_HOME` (run worktrees live in `worktrees/`), a run's `output_dir`, and " +
      "Gemini's chat folder (a fork's copy; removing an ephemeral session or a message-less duplicate)",
  },
  {
    flag: "--allow-env",
    why: "`HOME`, `USERPROFILE`, `CLINVK_*`, `NO_COLOR`, `CODEX_HOME`, `GEMINI_CLI_HOME`, " +
      "`PATH`/`PATHEXT` (Windows), and variables named in `${VAR}` in config",
  },
  {
    flag: "--allow-run",
    why: "the backend CLIs (`claude`, `codex`, `gemini`, or `backends.<name>.command`), signals " +
      "to their process groups, `ps` and `uname` (a backend a killed clinvk left running); for " +
      "runs also `git` (worktrees) and `sh` (a task's `check`)",
  },
  {
    flag: "--allow-net=127.0.0.1",
    why: "`clinvk serve` listening on its default address, and `--dispatch`/`clinvk worker` " +
      "reaching a NATS server on this machine; for others allow those instead " +
      "(`--allow-net=0.0.0.0:8443`, `--allow-net=nats.internal:4222`)",
  },
];

/**
 * The permission flags alone, in table order, ready to splice into a `deno` argv.
 *
 * @example
 * ```ts
 * import { permissionFlags } from "./permissions.ts";
 * const args = ["run", ...permissionFlags(), "src/main.ts"];
 * ```
 */
export function permissionFlags(): string[] {
  return PERMISSIONS.map((permission) => permission.flag);
}
