/** `--split` chooses the training modules, and `proxy/dgl-async` trains them in worker threads from the CLI. */
import { describe, expect, test } from "vitest";
import { run } from "./run-cli.js";

const TINY = ["--epochs", "1", "--batch-size", "64", "--limit-train", "640", "--limit-test", "200", "--hidden", "32,16"];

function events(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("--split", () => {
  test("hidden1 gives a greedy scheme two phases instead of three", async () => {
    const everyBlock = await run(["train", "--method", "proxy/pred", ...TINY, "--json"]);
    const two = await run(["train", "--method", "proxy/pred", ...TINY, "--split", "hidden1", "--json"]);
    expect(two.stderr).toBe("");
    const phases = (stdout: string) => events(stdout).filter((event) => event.event === "phase-start").length;
    expect(phases(everyBlock.stdout)).toBe(3);
    expect(phases(two.stdout)).toBe(2);
  });

  test("before-output gives one hidden module", async () => {
    const { code, stdout } = await run(["train", "--method", "proxy/pred", ...TINY, "--split", "before-output", "--json"]);
    expect(code).toBe(0);
    expect(events(stdout).filter((event) => event.event === "phase-start")).toHaveLength(2);
  });

  test("an unknown block name lists the blocks", async () => {
    const { code, stderr } = await run(["train", ...TINY, "--split", "hidden3"]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'Invalid value "hidden3" for --split: split: no block is named "hidden3". Blocks of this mlp: hidden1, hidden2, output.',
    );
  });

  test("an empty name is refused", async () => {
    const { code, stderr } = await run(["train", ...TINY, "--split", "hidden1,"]);
    expect(code).toBe(2);
    expect(stderr).toContain('Invalid value "hidden1," for --split: an empty block name.');
  });
});

describe("proxy/dgl-async", () => {
  test("prints the staleness of each module after the first", async () => {
    const { code, stdout, stderr } = await run(["train", "--method", "proxy/dgl-async", ...TINY, "--split", "hidden1"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("all 2 modules in 2 worker threads");
    expect(stdout).toMatch(/epoch 1\/1 .* module 2\/2 staleness \d/);
    expect(stdout).toMatch(/Test accuracy: \d+\.\d\d %/);
  });
});
