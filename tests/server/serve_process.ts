/**
 * `clinvk serve` as a separate process, as a user starts it (`deno run` with the documented
 * permissions), for the tests that need real signals and process lifetimes.
 * @module
 */
import { type Sandbox, spawnClinvk } from "../support/clinvk.ts";

/** A running `clinvk serve` process. */
export interface ServeProcess {
  child: Deno.ChildProcess;
  url: string;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** Resolves to the exit code once it exited (stdout and stderr drained). */
  exited: Promise<number>;
}

/** Starts `clinvk serve --port 0 …args` in `sb` and waits for its banner. */
export async function startServeProcess(
  sb: Sandbox,
  args: string[] = [],
  options: { permissions?: string[]; env?: Record<string, string>; entry?: string } = {},
): Promise<ServeProcess> {
  const child = spawnClinvk(sb.env, ["serve", "--port", "0", ...args], {
    cwd: sb.work,
    permissions: options.permissions,
    env: options.env,
    entry: options.entry,
  });
  let text = "";
  let announce: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => announce = resolve);
  const drain = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      if (url) announce(url);
    }
  })();
  const stdout = child.stdout.cancel();
  const exited = Promise.all([child.status, drain, stdout]).then(([status]) => status.code);
  const url = await Promise.race([
    listening,
    exited.then((code) => {
      throw new Error(`clinvk serve exited ${code} before listening:\n${text}`);
    }),
  ]);
  return { child, url, stderr: () => text, exited };
}

/** Whether a process with this pid still exists and is not a zombie (asks `ps`). */
export async function processAlive(pid: number): Promise<boolean> {
  const { stdout } = await new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(pid)] })
    .output();
  const state = new TextDecoder().decode(stdout).trim();
  return state !== "" && !state.startsWith("Z");
}
