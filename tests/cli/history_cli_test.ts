/**
 * Per-turn history, search, usage, cost and budgets end to end (issue 12), through the real
 * clinvk and the fake backends that replay the recorded samples.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { samplesDir } from "../fixtures/fake_backends.ts";
import { withSandbox } from "../support/clinvk.ts";

type Json = Record<string, unknown>;
type Usage = { input: number; output: number; cached: number; total: number };

/** The last JSON line of a recorded sample. */
async function lastLine(cli: string, name: string): Promise<Json> {
  const lines = (await Deno.readTextFile(join(samplesDir, cli, name))).trimEnd().split("\n");
  return JSON.parse(lines.at(-1)!);
}

/**
 * This turn's usage as the real CLI reported it in its first streamed run, normalised by the
 * rule of each backend (samples/README.md): Claude reports cache reads and writes apart from
 * input; Gemini's input already includes cached tokens.
 */
async function sampleFirstTurn(cli: "claude" | "gemini"): Promise<Usage> {
  const last = await lastLine(cli, "new-stream-json.stdout");
  if (cli === "claude") {
    const u = last.usage as Record<string, number>;
    const input = u.input_tokens! + u.cache_creation_input_tokens! + u.cache_read_input_tokens!;
    return {
      input,
      output: u.output_tokens!,
      cached: u.cache_read_input_tokens!,
      total: input + u.output_tokens!,
    };
  }
  const s = last.stats as Record<string, number>;
  return {
    input: s.input_tokens!,
    output: s.output_tokens!,
    cached: s.cached!,
    total: s.input_tokens! + s.output_tokens!,
  };
}

for (const backend of ["claude", "codex", "gemini"] as const) {
  Deno.test(`${backend}: each turn's history holds its own normalised tokens, never double counted`, async () => {
    await withSandbox(async (sb) => {
      const first = await sb.json(["-b", backend, "-o", "json", "first prompt about auth"]);
      const id = String(first.session_id);
      const second = await sb.json(["resume", id, "-o", "json", "second prompt"]);
      const shown = await sb.json<Json & { turns: Json[]; token_usage: Usage }>([
        "sessions",
        "show",
        id,
        "--turns",
        "--json",
      ]);
      const turns = shown.turns;
      assert.deepEqual(turns.map((t) => [t.n, t.prompt, t.answer]), [
        [1, "first prompt about auth", "ECHO turn=1: first prompt about auth"],
        [2, "second prompt", "ECHO turn=2: second prompt"],
      ]);
      assert.deepEqual(turns[0]!.usage, first.token_usage);
      assert.deepEqual(turns[1]!.usage, second.token_usage);
      const sum = (key: keyof Usage) => turns.reduce((n, t) => n + (t.usage as Usage)[key], 0);
      assert.deepEqual(shown.token_usage, {
        input: sum("input"),
        output: sum("output"),
        cached: sum("cached"),
        total: sum("total"),
      });
      if (backend !== "codex") assert.deepEqual(turns[0]!.usage, await sampleFirstTurn(backend));
      for (const turn of turns) {
        assert.equal(turn.exit_code, 0);
        assert.equal(turn.error_class, null);
        // A model the price table knows gets a cost; one it does not (or none) gets null.
        if (turn.cost_usd === null) assert.equal(turn.price_source, null);
        else assert.match(String(turn.price_source), /^genai-prices \d/);
      }
      const text = await sb.run(["sessions", "show", id, "--turns"]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /History:\n {2}#1 .*\n {6}> first prompt about auth\n {6}< ECHO turn=1/,
      );
    });
  });
}

Deno.test("sessions search finds words in prompts and answers, with the match marked", async () => {
  await withSandbox(async (sb) => {
    const auth = await sb.json(["-b", "claude", "-o", "json", "fix the authentication bug"]);
    await sb.json(["-b", "gemini", "-o", "json", "write the docs"]);
    const hits = await sb.json<Json[]>(["sessions", "search", "authent", "--json"]);
    assert.deepEqual(hits.map((h) => h.id), [auth.session_id]);
    assert.match(String(hits[0]!.snippet), /\*\*authentication\*\*/);
    const table = await sb.run(["sessions", "search", "docs"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID +BACKEND +LAST USED +TURN +MATCH\n\S+ +gemini .*\[docs\]/);
    assert.deepEqual(
      await sb.json(["sessions", "search", "docs", "--backend", "claude", "--json"]),
      [],
    );
    const none = await sb.run(["sessions", "search", "zzzz"]);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /No session matches "zzzz"/);
    const empty = await sb.run(["sessions", "search", "--", "!!"]);
    assert.equal(empty.code, 2);
  });
});

Deno.test("usage reports tokens and cost per day and backend, and sessions list --cost agrees", async () => {
  await withSandbox(async (sb) => {
    await sb.json(["-b", "claude", "-o", "json", "one"]);
    await sb.json(["-b", "gemini", "-o", "json", "two"]);
    const report = await sb.json<{ rows: Json[]; totals: Json; timezone: string }>([
      "usage",
      "daily",
      "--by",
      "backend",
      "--timezone",
      "UTC",
      "--json",
    ]);
    assert.equal(report.timezone, "UTC");
    assert.deepEqual(report.rows.map((r) => r.backend).sort(), ["claude", "gemini"]);
    const listed = await sb.json<Json[]>(["sessions", "list", "--cost", "--json"]);
    const tokens = listed.reduce((n, s) => n + Number(s.tokens), 0);
    assert.equal(report.totals.total, tokens);
    const cost = listed.reduce((n, s) => n + Number(s.cost_usd ?? 0), 0);
    assert.ok(Math.abs(Number(report.totals.cost_usd) - cost) < 1e-9);
    const table = await sb.run(["usage", "--by", "model"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^DAY +MODEL +TURNS +INPUT +OUTPUT +CACHED +TOTAL +COST\n/);
    assert.match(table.stdout, /\nTOTAL +2 /);
    const bad = await sb.run(["usage", "--timezone", "Mars/Olympus"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown time zone "Mars\/Olympus"/);
  });
});

Deno.test("a turn over the daily token budget exits 6 and creates nothing, unless --force", async () => {
  await withSandbox(async (sb) => {
    const first = await sb.json(["-b", "claude", "-o", "json", "spend"]);
    const spent = Number((first.token_usage as Usage).total);
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      `session:\n  budget:\n    daily_tokens: ${spent}\n`,
    );
    const refused = await sb.run(["-b", "claude", "again"]);
    assert.equal(refused.code, 6, refused.stderr);
    assert.match(refused.stderr, /^clinvk: The daily token budget is used up: .* --force\.\n$/);
    assert.equal(
      (await sb.json<Json[]>(["sessions", "list", "--json"])).length,
      1,
      "no session was created",
    );
    const forced = await sb.run(["-b", "claude", "--force", "again"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /Over the daily token budget/);
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      `session:\n  budget:\n    daily_tokens: ${Math.ceil(spent * 2.2)}\n`,
    );
    const warned = await sb.run(["-b", "claude", "once more"]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /\d+% of the daily token budget is used/);
  });
});
