/**
 * `modular bench peers`: flag validation, and tiny runs of our cpu backend
 * and TensorFlow.js's cpu backend whose output and written docs are
 * checked, never their speed. The PyTorch targets run in the tests of
 * @modular/bench; here a missing interpreter shows how an unavailable
 * target is reported.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run } from "./run-cli.js";

/** 32 training samples in one batch, one epoch, one timed repeat of one step. */
const TINY = [
  "bench", "peers",
  "--limit-train", "32",
  "--limit-test", "50",
  "--epochs", "1",
  "--batch-size", "32",
  "--warmup", "1",
  "--repeats", "1",
  "--min-time", "0",
];

const USAGE_ERRORS: readonly [string, readonly string[], string][] = [
  ["unknown target", ["bench", "peers", "--targets", "cpu,jax"], 'Unknown target "jax" in --targets. Valid targets: cpu, webgpu, tfjs-cpu, tfjs-wasm, torch-linear, torch-conv1d.'],
  ["empty targets", ["bench", "peers", "--targets", ","], 'Invalid value "," for --targets: no targets.'],
  ["duplicate target", ["bench", "peers", "--targets", "tfjs-wasm,tfjs-wasm"], 'Target "tfjs-wasm" is listed twice'],
  ["unknown dataset", ["bench", "peers", "--dataset", "cifar10"], 'Unknown dataset "cifar10" for bench peers. Valid datasets: mnist, fashion-mnist.'],
  ["zero epochs", ["bench", "peers", "--epochs", "0"], 'Invalid value "0" for --epochs: out of range. Expected an integer from 1 to 1000.'],
  ["fractional batch", ["bench", "peers", "--batch-size", "2.5"], 'Invalid value "2.5" for --batch-size: not an integer.'],
  ["zero learning rate", ["bench", "peers", "--lr", "0"], 'Invalid value "0" for --lr: out of range. Expected a number > 0.'],
  ["negative min time", ["bench", "peers", "--min-time", "-1"], 'Invalid value "-1" for --min-time: out of range.'],
];

describe("bench peers flags", () => {
  test.each(USAGE_ERRORS)("%s exits with status 2", async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Run "modular bench peers --help" for usage.');
    expect(stdout).toBe("");
  });

  test("--help lists the flags with units and defaults", async () => {
    const { code, stdout } = await run(["bench", "peers", "--help"]);

    expect(code).toBe(0);
    for (const text of ["--targets <list>", "--python <path>", "(default: /usr/bin/python3)", "--min-time <ms>", "in milliseconds", "--write-docs [file]", "python3-torch"]) {
      expect(stdout).toContain(text);
    }
  });

  test("bench --help lists peers", async () => {
    const { stdout } = await run(["bench", "--help"]);

    expect(stdout).toMatch(/^ {2}peers \[options\]/m);
  });
});

describe("bench peers runs", () => {
  test("--json reports measured and unavailable targets", async () => {
    const argv = [...TINY, "--targets", "tfjs-cpu,torch-conv1d", "--python", "/nonexistent/python3", "--json"];
    const { code, stdout } = await run(argv);

    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as {
      suite: string;
      command: string;
      results: { target: string; status: string; fix?: string }[];
      ratios: { target: string }[];
    };
    expect(report.suite).toBe("peers");
    expect(report.command).toBe(`modular ${argv.join(" ")}`);
    expect(report.results.map((result) => `${result.target} ${result.status}`)).toEqual(["cpu measured", "tfjs-cpu measured", "torch-conv1d unavailable"]);
    expect(report.results[2]!.fix).toBe("sudo apt-get install python3-torch");
    expect(report.ratios.map((ratio) => ratio.target)).toEqual(["tfjs-cpu"]);
  });

  test("--write-docs replaces only the peers section", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "modular-peers-")), "benchmarks.md");
    const kernels = "<!-- @modular/bench kernels: begin -->\nkernel table\n<!-- @modular/bench kernels: end -->";
    writeFileSync(file, `# Benchmarks\n\n${kernels}\n`);

    const first = await run([...TINY, "--targets", "cpu", "--write-docs", file], { env: { npm_lifecycle_event: "modular" } });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^cpu: [\d,]+ samples\/s per step/m);
    expect(first.stdout).toContain(`Wrote the peers section of ${file}.`);
    const once = readFileSync(file, "utf8");
    expect(once.startsWith(`# Benchmarks\n\n${kernels}\n\n<!-- @modular/bench peers: begin -->\n## Peer comparison`)).toBe(true);
    expect(once).toContain(`Command: \`pnpm modular ${TINY.join(" ")} --targets cpu --write-docs ${file}\`.`);

    await run([...TINY, "--targets", "cpu", "--write-docs", file]);
    const twice = readFileSync(file, "utf8");
    expect(twice.match(/## Peer comparison/g)).toHaveLength(1);
    expect(twice).toContain(kernels);
  });
});
