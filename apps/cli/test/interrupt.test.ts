/**
 * Ctrl-C: a spawned `modular train` gets SIGINT after some steps, finishes
 * the step, saves a checkpoint and exits with status 130. `--resume` then
 * ends with the losses and test accuracy of an uninterrupted run with the
 * same seed. Runs the built `dist/bin.js`.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "./run-cli.js";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "modular-interrupt-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 2,000 embedded MNIST digits in batches of 32 (63 steps per epoch), 2 epochs per phase, two phases. */
const RUN = [
  "train", "--method", "proxy/kernel", "--hidden", "32", "--epochs", "2", "--limit-train", "2000", "--limit-test", "500",
  "--batch-size", "32", "--seed", "4", "--json", "--log-every", "1",
];

interface Event {
  readonly event: string;
  readonly [field: string]: unknown;
}

function parse(text: string): Event[] {
  return text.trim().split("\n").map((line) => JSON.parse(line) as Event);
}

/** Spawns the CLI and sends SIGINT once `stopNow` returns true for the stdout so far. */
function interruptedRun(argv: readonly string[], stopNow: (stdout: string) => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...argv], { env: { ...process.env, MODULAR_RUNS_DIR: dir } });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (sent || !stopNow(stdout)) return;
      sent = true;
      child.kill("SIGINT");
    });
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** True once a `step` event of phase 1 has reached step `stopAt`. */
function afterStep(stopAt: number): (stdout: string) => boolean {
  return (stdout) => {
    const steps = [...stdout.matchAll(/"event":"step","phase":1,"epoch":\d+,"step":(\d+)/g)].map((match) => Number(match[1]));
    return steps.length > 0 && Math.max(...steps) >= stopAt;
  };
}

/** Collects the final metrics of a run: each epoch's mean losses, and the test accuracy. */
function finalMetrics(events: readonly Event[]) {
  return {
    epochs: events.filter((event) => event.event === "epoch-end").map((event) => [event.phase, event.epoch, event.losses]),
    accuracy: events.find((event) => event.event === "done")!.testAccuracy,
  };
}

describe("Ctrl-C and --resume", () => {
  test("resumed run ends like an uninterrupted one", { timeout: 300_000 }, async () => {
    const straight = await run([...RUN, "--run-dir", join(dir, "straight")]);
    expect(straight.code).toBe(0);

    const runDir = join(dir, "stopped");
    const stopped = await interruptedRun([...RUN, "--run-dir", runDir], afterStep(20));

    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`Resume with: modular train --resume ${runDir}`);
    const stop = parse(stopped.stdout).find((event) => event.event === "interrupted")!;
    expect(stop.phase).toBe(1);
    expect(stop.files).toContain("training-state.json");
    // SIGINT goes out after step 20 of 63 in epoch 1, and the runner checks the signal after every step.
    expect(stop.step).toBeGreaterThanOrEqual(20);
    expect(stop.step).toBeLessThan(63);
    const state = JSON.parse(await readFile(join(runDir, "checkpoint", "training-state.json"), "utf8")) as Record<string, unknown>;
    expect(state).toMatchObject({ phase: 1, epoch: 0, partialEpoch: { steps: stop.step } });

    const resumed = await run(["train", "--resume", runDir, "--json"]);
    expect(resumed.code).toBe(0);

    const metrics = parse(await readFile(join(runDir, "metrics.jsonl"), "utf8"));
    expect(metrics.filter((event) => event.event === "interrupted")).toHaveLength(1);
    expect(finalMetrics(metrics)).toEqual(finalMetrics(parse(straight.stdout)));
    expect(finalMetrics(parse(resumed.stdout)).accuracy).toBe(finalMetrics(parse(straight.stdout)).accuracy);
    // The resumed run's wall time counts the part before the stop.
    const done = parse(resumed.stdout).find((event) => event.event === "done")!;
    expect(state.elapsedSeconds).toBeGreaterThan(0);
    expect(done.seconds).toBeGreaterThanOrEqual(state.elapsedSeconds as number);
  });

  test("resumed compare matches uninterrupted one", { timeout: 300_000 }, async () => {
    const COMPARE = [
      "compare", "--methods", "proxy/kernel", "--hidden", "32", "--epochs", "1", "--limit-train", "1000", "--limit-test", "300",
      "--batch-size", "32", "--seed", "4", "--json",
    ];
    const accuracies = (stdout: string) => parse(stdout).map((event) => [event.method, event.testAccuracy]);
    const straight = await run([...COMPARE, "--run-dir", join(dir, "compare-straight")]);
    expect(straight.code).toBe(0);

    // SIGINT once backprop's row is out: proxy/kernel has started, or starts next and stops after its first step.
    const compareDir = join(dir, "compare-stopped");
    const stopped = await interruptedRun([...COMPARE, "--run-dir", compareDir], (stdout) => stdout.includes('"method":"backprop"'));
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`Resume with: modular compare --resume ${compareDir}`);
    expect(accuracies(stopped.stdout).filter(([, value]) => value !== undefined)).toHaveLength(1);

    const resumed = await run(["compare", "--resume", compareDir, "--json"]);
    expect(resumed.code).toBe(0);
    expect(accuracies(resumed.stdout)).toEqual(accuracies(straight.stdout));
    const table = JSON.parse(await readFile(join(compareDir, "compare.json"), "utf8")) as { rows: { method: string }[] };
    expect(table.rows.map((row) => row.method)).toEqual(["backprop", "proxy/kernel"]);

    const again = await run(["compare", "--resume", compareDir, "--epochs", "2"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("cannot be combined with --epochs");

    const missing = await run(["compare", "--resume", join(dir, "compare-missing")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("the folder was not found");
  });

  test("in-process signal stops after the current step", async () => {
    const controller = new AbortController();
    controller.abort();

    const { code, stderr } = await run([...RUN, "--epochs", "1", "--run-dir", join(dir, "aborted")], { signal: controller.signal });

    expect(code).toBe(130);
    expect(stderr).toContain("Interrupted after step 1 of epoch 1 of phase 1");
  });
});
