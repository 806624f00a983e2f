import assert from "node:assert/strict";
import { type ExecutableProbe, resolveExecutable } from "../../src/platform/resolve_executable.ts";
import type { Env } from "../../src/platform/types.ts";

/** An environment holding exactly `vars`. */
function env(vars: Record<string, string>): Env {
  return { get: (name) => vars[name] };
}

/** A file system holding exactly `files`, recording every path it was asked about. */
function files(...paths: string[]): ExecutableProbe & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    isFile(path) {
      asked.push(path);
      return paths.includes(path);
    },
  };
}

const WINDOWS_PATH = "C:\\Windows\\system32;C:\\Users\\ada\\AppData\\Roaming\\npm";

Deno.test("resolveExecutable() finds an npm .cmd shim on the Windows PATH", () => {
  const fs = files("C:\\Users\\ada\\AppData\\Roaming\\npm\\claude.cmd");
  const vars = { PATH: WINDOWS_PATH, PATHEXT: ".COM;.EXE;.BAT;.CMD" };
  assert.equal(
    resolveExecutable("claude", env(vars), "windows", fs),
    "C:\\Users\\ada\\AppData\\Roaming\\npm\\claude.cmd",
  );
});

Deno.test("resolveExecutable() tries PATH directories in order, then PATHEXT in order", () => {
  const fs = files(
    "C:\\Windows\\system32\\codex.cmd",
    "C:\\Users\\ada\\AppData\\Roaming\\npm\\codex.exe",
    "C:\\Windows\\system32\\codex.exe",
  );
  const vars = { PATH: WINDOWS_PATH, PATHEXT: ".EXE;.CMD" };
  assert.equal(
    resolveExecutable("codex", env(vars), "windows", fs),
    "C:\\Windows\\system32\\codex.exe",
  );
  assert.deepEqual(fs.asked, ["C:\\Windows\\system32\\codex.exe"]);
});

Deno.test("resolveExecutable() uses the Windows default PATHEXT when it is unset", () => {
  const fs = files("C:\\tools\\gemini.bat");
  assert.equal(
    resolveExecutable("gemini", env({ PATH: "C:\\tools" }), "windows", fs),
    "C:\\tools\\gemini.bat",
  );
  assert.deepEqual(fs.asked, [
    "C:\\tools\\gemini.com",
    "C:\\tools\\gemini.exe",
    "C:\\tools\\gemini.bat",
  ]);
});

Deno.test("resolveExecutable() keeps a name that already has a PATHEXT extension", () => {
  const fs = files("C:\\tools\\claude.CMD");
  const vars = { PATH: "C:\\tools", PATHEXT: ".EXE;.CMD" };
  assert.equal(resolveExecutable("claude.CMD", env(vars), "windows", fs), "C:\\tools\\claude.CMD");
  assert.deepEqual(fs.asked, ["C:\\tools\\claude.CMD"]);
});

Deno.test("resolveExecutable() completes a configured Windows path without an extension", () => {
  const fs = files("D:\\bin\\claude.exe");
  const vars = { PATH: "", PATHEXT: ".EXE;.CMD" };
  assert.equal(
    resolveExecutable("D:\\bin\\claude", env(vars), "windows", fs),
    "D:\\bin\\claude.exe",
  );
  assert.equal(
    resolveExecutable("D:/bin/claude", env(vars), "windows", files("D:/bin/claude.cmd")),
    "D:/bin/claude.cmd",
  );
});

Deno.test("resolveExecutable() skips empty and quoted PATH entries and never searches the cwd", () => {
  const fs = files("C:\\Program Files\\nodejs\\claude.cmd", "claude.cmd", ".\\claude.cmd");
  const vars = { PATH: ';"C:\\Program Files\\nodejs";', PATHEXT: ".CMD" };
  assert.equal(
    resolveExecutable("claude", env(vars), "windows", fs),
    "C:\\Program Files\\nodejs\\claude.cmd",
  );
  assert.deepEqual(fs.asked, ["C:\\Program Files\\nodejs\\claude.cmd"]);
});

Deno.test("resolveExecutable() returns the name unchanged when nothing matches on Windows", () => {
  const vars = { PATH: WINDOWS_PATH, PATHEXT: ".EXE;.CMD" };
  assert.equal(resolveExecutable("claude", env(vars), "windows", files()), "claude");
});

Deno.test("resolveExecutable() leaves names alone on Linux and macOS (the OS searches PATH)", () => {
  const fs = files("/usr/local/bin/claude");
  for (const os of ["linux", "darwin"] as const) {
    assert.equal(resolveExecutable("claude", env({ PATH: "/usr/local/bin" }), os, fs), "claude");
  }
  assert.deepEqual(fs.asked, []);
});

Deno.test("resolveExecutable() falls back to the name when PATH cannot be read", () => {
  const denied: Env = {
    get(name) {
      const error = new Error(`Requires env access to "${name}"`);
      error.name = "NotCapable";
      throw error;
    },
  };
  assert.equal(
    resolveExecutable("claude", denied, "windows", files("C:\\x\\claude.exe")),
    "claude",
  );
});
