import assert from "node:assert/strict";
import { join } from "node:path";
import { ClinvkError } from "../../src/errors.ts";
import { clientAddressResolver } from "../../src/server/client_address.ts";
import {
  createWorkdirPolicy,
  isAllowedWorkdir,
  isSystemPath,
} from "../../src/server/workdir_policy.ts";
import { isLoopback, serverUrl } from "../../src/server/start_server.ts";

Deno.test("clientAddressResolver() reads X-Forwarded-For only through trusted proxies", () => {
  const none = clientAddressResolver([]);
  assert.equal(none("10.0.0.5", "1.2.3.4"), "10.0.0.5");
  const proxies = clientAddressResolver(["10.0.0.0/8", "loopback"]);
  assert.equal(proxies("10.0.0.5", "1.2.3.4"), "1.2.3.4");
  assert.equal(proxies("10.0.0.5", "1.2.3.4, 10.1.1.1"), "1.2.3.4", "skips trusted hops");
  assert.equal(proxies("10.0.0.5", "6.6.6.6, 1.2.3.4"), "1.2.3.4", "stops at the first untrusted");
  assert.equal(
    proxies("192.168.1.9", "1.2.3.4"),
    "192.168.1.9",
    "an untrusted peer's header is ignored",
  );
  assert.equal(proxies("127.0.0.1", null), "127.0.0.1");
  assert.throws(() => clientAddressResolver(["not-an-address"]), ClinvkError);
});

Deno.test("isSystemPath() covers the root and system directories, not look-alikes", () => {
  for (
    const path of ["/", "/etc", "/etc/ssh", "/usr/local/bin", "/proc/1", "C:\\Windows\\System32"]
  ) {
    assert.ok(isSystemPath(path), path);
  }
  for (const path of ["/etcetera", "/home/me/etc", "/tmp/x", "/srv/repo", "/var/www"]) {
    assert.ok(!isSystemPath(path), path);
  }
});

Deno.test("createWorkdirPolicy() resolves roots through symlinks and refuses system ones", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(join(dir, "root/sub"), { recursive: true });
    await Deno.symlink(join(dir, "root"), join(dir, "link"));
    const policy = await createWorkdirPolicy(Deno, join(dir, "root"), [join(dir, "link")]);
    assert.deepEqual(policy.roots, [join(dir, "root")]);
    assert.ok(isAllowedWorkdir(policy, join(dir, "root/sub")));
    assert.ok(!isAllowedWorkdir(policy, join(dir, "rooted")));
    assert.ok(!isAllowedWorkdir(policy, dir));
    const strict = await createWorkdirPolicy(Deno, join(dir, "root"), []);
    assert.ok(isAllowedWorkdir(strict, join(dir, "root")));
    assert.ok(!isAllowedWorkdir(strict, join(dir, "root/sub")));
    for (
      const bad of [
        ["/etc", []],
        [join(dir, "root"), ["/usr"]],
        [join(dir, "root"), ["relative"]],
        [join(dir, "nope"), []],
      ] as const
    ) {
      await assert.rejects(createWorkdirPolicy(Deno, bad[0], bad[1]), ClinvkError);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isLoopback() and serverUrl()", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.ok(isLoopback(host), host);
  }
  for (const host of ["0.0.0.0", "::", "192.168.1.2", "example.com"]) {
    assert.ok(!isLoopback(host), host);
  }
  assert.equal(serverUrl("::1", 80), "http://[::1]:80");
  assert.equal(serverUrl("127.0.0.1", 8080), "http://127.0.0.1:8080");
});
