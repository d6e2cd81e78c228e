/**
 * Run directories of `modular train`: config.json, metrics.jsonl with every
 * event, the checkpoint folder, the default location, and `--resume` rules.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "./run-cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "modular-rundir-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TINY = ["--method", "backprop", "--hidden", "16", "--epochs", "2", "--limit-train", "300", "--limit-test", "100", "--batch-size", "64"];

describe("run directory", () => {
  test("holds config, metrics and checkpoint", async () => {
    const runDir = join(dir, "files");

    const { code } = await run(["train", ...TINY, "--run-dir", runDir]);

    expect(code).toBe(0);
    expect((await readdir(runDir)).sort()).toEqual(["checkpoint", "config.json", "metrics.jsonl"]);
    expect(await readdir(join(runDir, "checkpoint"))).toContain("training-state.json");
  });

  test("metrics.jsonl has every --json event", async () => {
    const runDir = join(dir, "metrics");

    const { stdout } = await run(["train", ...TINY, "--run-dir", runDir, "--json", "--log-every", "1"]);
    const metrics = await readFile(join(runDir, "metrics.jsonl"), "utf8");

    const names = (text: string) => text.trim().split("\n").map((line) => (JSON.parse(line) as { event: string }).event);
    expect(names(metrics)).toEqual(names(stdout));
    expect(names(metrics).filter((name) => name === "step")).toHaveLength(10);
    expect(names(metrics)).toContain("checkpoint");
  });

  test("default goes under MODULAR_RUNS_DIR", async () => {
    const runs = join(dir, "runs");

    const { code, stdout } = await run(["train", ...TINY, "--epochs", "1"], { env: { MODULAR_RUNS_DIR: runs } });

    expect(code).toBe(0);
    const [created] = await readdir(runs);
    expect(created).toMatch(/^backprop-\d{8}-\d{6}$/);
    expect(stdout).toContain(`Run directory: ${join(runs, created!)}`);
  });

  test("rejects a directory that has a run", async () => {
    const runDir = join(dir, "taken");
    await run(["train", ...TINY, "--epochs", "1", "--run-dir", runDir]);

    const { code, stderr } = await run(["train", ...TINY, "--epochs", "1", "--run-dir", runDir]);

    expect(code).toBe(2);
    expect(stderr).toContain(`Continue it with --resume ${runDir}`);
  });

  test("--resume rejects flags that change the run", async () => {
    const { code, stderr } = await run(["train", "--resume", join(dir, "files"), "--epochs", "5", "--lr", "0.1"]);

    expect(code).toBe(2);
    expect(stderr).toContain("cannot be combined with --epochs, --lr");
  });

  test("dgl-async runs without checkpoints", async () => {
    const runDir = join(dir, "async");

    const argv = ["train", "--method", "proxy/dgl-async", "--hidden", "16,16", "--epochs", "1", "--limit-train", "256", "--limit-test", "100"];
    const { code, stdout } = await run([...argv, "--run-dir", runDir]);

    expect(code).toBe(0);
    expect(stdout).toContain("No checkpoints: proxy/dgl-async cannot save its state");
    expect(await readdir(runDir)).not.toContain("checkpoint");
  });
});
