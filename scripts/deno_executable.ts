/**
 * Which `deno` a build script (`deno task compile`, `deno task bundle`) runs.
 * @module
 */

/**
 * The running deno when this script may run it, else the `deno` on PATH: `--allow-run=deno`
 * grants the PATH entry, which npm installs make a symlink to a different real path.
 */
export function denoExecutable(): string {
  const self = Deno.execPath();
  const granted = Deno.permissions.querySync({ name: "run", command: self }).state === "granted";
  return granted ? self : "deno";
}
