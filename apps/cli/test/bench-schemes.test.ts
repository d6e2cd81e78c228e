/**
 * `modular bench schemes`: flag validation, and the quick MNIST workload
 * with every registered scheme. A scheme that is not clearly above chance
 * makes the command exit 1, so this test fails for it.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { METHODS } from "../src/registry/methods.js";
import { run } from "./run-cli.js";

const USAGE_ERRORS: readonly [string, readonly string[], string][] = [
  ["unknown workload", ["bench", "schemes", "--workloads", "mnist-vgg"], 'Unknown name "mnist-vgg" in --workloads. Valid names: mnist-mlp, fashion-mlp, fashion-cnn, fashion-vgg-q4.'],
  ["unknown scheme", ["bench", "schemes", "--schemes", "proxy/none"], 'Unknown name "proxy/none" in --schemes. Valid names: backprop, '],
  ["negative seed", ["bench", "schemes", "--seeds", "1,-2"], 'Invalid value "-2" for --seeds'],
  ["empty seeds", ["bench", "schemes", "--seeds", ","], 'Invalid value "," for --seeds: no seeds.'],
  ["unknown backend", ["bench", "schemes", "--backend", "cuda"], 'Unknown backend "cuda"'],
  ["--from with --seeds", ["bench", "schemes", "--from", "part1", "--seeds", "1"], "--from merges finished runs and trains nothing, so --seeds cannot go with it."],
];

describe("bench schemes flags", () => {
  test.each(USAGE_ERRORS)("%s exits with status 2", async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Run "modular bench schemes --help" for usage.');
    expect(stdout).toBe("");
  });
});

describe("bench schemes --quick on embedded MNIST", () => {
  test(
    "every registered scheme is clearly above chance, and the report lists each",
    async () => {
      const out = join(mkdtempSync(join(tmpdir(), "modular-schemes-")), "run");
      const { code, stdout, stderr } = await run(["bench", "schemes", "--quick", "--workloads", "mnist-mlp", "--out", out]);

      expect(stderr).toBe("");
      expect(code).toBe(0);
      for (const method of METHODS) expect(stdout).toContain(`mnist-mlp ${method.name} seed 1: test accuracy`);
      expect(readdirSync(out).sort()).toEqual([
        "accuracy-against-backprop.svg",
        "accuracy-per-epoch-mnist-mlp.svg",
        "peak-memory-mnist-mlp.svg",
        "schemes.json",
        "schemes.md",
      ]);
      const report = JSON.parse(readFileSync(join(out, "schemes.json"), "utf8"));
      expect(report.summaries.map((summary: { scheme: string }) => summary.scheme).sort()).toEqual(METHODS.map((m) => m.name).sort());
      expect(report.summaries.filter((summary: { failsChance: boolean }) => summary.failsChance)).toEqual([]);

      // A second part with another seed merges into one report; the same part twice is rejected.
      const second = `${out}-seed2`;
      expect((await run(["bench", "schemes", "--quick", "--workloads", "mnist-mlp", "--schemes", "proxy/kernel", "--seeds", "2", "--out", second])).code).toBe(0);
      const merged = `${out}-merged`;
      const merge = await run(["bench", "schemes", "--from", `${out},${second}`, "--out", merged]);
      expect(merge.code).toBe(0);
      expect(merge.stdout).toContain(`Merged ${METHODS.length + 2} runs from 2 reports.`);
      const kernel = JSON.parse(readFileSync(join(merged, "schemes.json"), "utf8")).summaries.find((s: { scheme: string }) => s.scheme === "proxy/kernel");
      expect(kernel.seeds).toEqual([1, 2]);
      expect(readFileSync(join(merged, "schemes.md"), "utf8")).toContain("--schemes proxy/kernel --seeds 2");
      const twice = await run(["bench", "schemes", "--from", `${out},${out}`, "--out", `${out}-twice`]);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain("both contain the run mnist-mlp backprop seed 1");
    },
    1_800_000,
  );
});
