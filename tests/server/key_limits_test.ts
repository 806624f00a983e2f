import assert from "node:assert/strict";
import { ApiError } from "../../src/server/api_error.ts";
import { KeyLimits, type LimitName } from "../../src/server/key_limits.ts";

function limits(settings: Partial<ConstructorParameters<typeof KeyLimits>[0]>, start = 0) {
  const clock = { now: start };
  const refused: [string, LimitName][] = [];
  const value = new KeyLimits(
    { requestsPerMinute: 0, concurrentTurns: 0, tokensPerDay: 0, ...settings },
    () => clock.now,
    (key, limit) => refused.push([key, limit]),
  );
  return { value, clock, refused };
}

function retryAfter(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ApiError && error.status === 429, String(error));
    return error.options.retryAfterSeconds!;
  }
  assert.fail("expected a 429");
}

Deno.test("takeRequest() allows a minute's burst, then one request per 60/N seconds", () => {
  const { value, clock, refused } = limits({ requestsPerMinute: 3 });
  for (let i = 0; i < 3; i++) value.takeRequest("k");
  assert.ok(Math.abs(retryAfter(() => value.takeRequest("k")) - 20) < 0.01);
  value.takeRequest("other"); // every key has its own budget
  clock.now += 10_000;
  assert.ok(Math.abs(retryAfter(() => value.takeRequest("k")) - 10) < 0.01);
  clock.now += 10_000;
  value.takeRequest("k");
  assert.deepEqual(refused, [["k", "requests_per_minute"], ["k", "requests_per_minute"]]);
});

Deno.test("startTurn() caps turns running at once; the release gives the slot back once", () => {
  const { value } = limits({ concurrentTurns: 2 });
  const a = value.startTurn("k");
  value.startTurn("k");
  retryAfter(() => value.startTurn("k"));
  a();
  a();
  value.startTurn("k");
  retryAfter(() => value.startTurn("k"));
});

Deno.test("tokens per day: refused once used up, until the next UTC midnight", () => {
  const noon = Date.UTC(2025, 0, 27, 12);
  const { value, clock } = limits({ tokensPerDay: 100 }, noon);
  value.startTurn("k")();
  value.addTokens("k", 60);
  value.startTurn("k")();
  value.addTokens("k", 60);
  assert.equal(retryAfter(() => value.startTurn("k")), 12 * 3600);
  clock.now = Date.UTC(2025, 0, 28, 0, 0, 1);
  value.startTurn("k");
});

Deno.test("a limit of 0 means none", () => {
  const { value } = limits({});
  for (let i = 0; i < 1000; i++) value.takeRequest("k");
  for (let i = 0; i < 100; i++) value.startTurn("k");
});
