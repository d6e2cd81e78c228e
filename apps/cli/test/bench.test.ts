/**
 * `modular bench kernels`: flag validation, and tiny runs on the cpu
 * backend whose output and written docs are checked, never their speed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run } from "./run-cli.js";

/** A run of a few milliseconds: one tiny matmul and a batch-2 MLP step on our cpu backend. */
const TINY = ["bench", "kernels", "--targets", "cpu", "--sizes", "8", "--mlp-batch", "2", "--warmup", "1", "--repeats", "1", "--min-time", "0"];

const USAGE_ERRORS: readonly [string, readonly string[], string][] = [
  ["unknown subcommand", ["bench", "memory"], "unknown command 'memory'\nValid commands: kernels, peers, schemes."],
  ["unknown target", ["bench", "kernels", "--targets", "cpu,cuda"], 'Unknown target "cuda" in --targets. Valid targets: webgpu, tfjs-webgpu, cpu, tfjs-cpu.'],
  ["empty targets", ["bench", "kernels", "--targets", ","], 'Invalid value "," for --targets: no targets.'],
  ["duplicate target", ["bench", "kernels", "--targets", "cpu,cpu"], 'Target "cpu" is listed twice'],
  ["non-integer size", ["bench", "kernels", "--sizes", "256,big"], 'Invalid value "256,big" for --sizes: size "big" is not an integer from 1 to 8192.'],
  ["zero size", ["bench", "kernels", "--sizes", "0"], 'size "0" is not an integer from 1 to 8192'],
  ["zero repeats", ["bench", "kernels", "--repeats", "0"], 'Invalid value "0" for --repeats: out of range. Expected an integer from 1 to 1000.'],
  ["zero warmup", ["bench", "kernels", "--warmup", "0"], 'Invalid value "0" for --warmup: out of range.'],
  ["negative min time", ["bench", "kernels", "--min-time", "-5"], 'Invalid value "-5" for --min-time: out of range.'],
  ["fractional batch", ["bench", "kernels", "--mlp-batch", "1.5"], 'Invalid value "1.5" for --mlp-batch: not an integer.'],
  ["unknown optimizer", ["bench", "kernels", "--optimizer", "lbfgs"], 'Unknown optimizer "lbfgs". Valid optimizers: sgd, adam.'],
  ["nothing to run", ["bench", "kernels", "--sizes", "", "--mlp-batch", "0"], "Nothing to run: --sizes is empty and --mlp-batch is 0."],
];

describe("bench kernels flags", () => {
  test.each(USAGE_ERRORS)("%s exits with status 2", async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe("");
  });

  test("help hint names bench kernels", async () => {
    const { stderr } = await run(["bench", "kernels", "--repeats", "0"]);

    expect(stderr).toContain('Run "modular bench kernels --help" for usage.');
  });

  test("--help lists the flags with defaults", async () => {
    const { code, stdout } = await run(["bench", "kernels", "--help"]);

    expect(code).toBe(0);
    for (const text of ["--sizes <list>", "(default: 256,512,1024,2048)", "--targets <list>", "--json", "--write-docs [file]"]) {
      expect(stdout).toContain(text);
    }
  });
});

describe("bench kernels runs", () => {
  test("prints one line per measurement and a table", async () => {
    const { code, stdout, stderr } = await run(TINY);

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^matmul 8×8 on cpu: [\d.,]+ GFLOP\/s/m);
    expect(stdout).toMatch(/^MLP step 784-512-512-10, batch 2 on cpu: [\d.,]+ samples\/s/m);
    expect(stdout).toContain("| workload | `cpu` |");
    expect(stdout).toMatch(/^Machine: .+ cores/m);
  });

  test("--json prints only the report", async () => {
    const { code, stdout } = await run([...TINY, "--json"]);

    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as { suite: string; command: string; cases: { target: string; workload: string }[] };
    expect(report.suite).toBe("kernels");
    expect(report.command).toBe(`modular ${[...TINY, "--json"].join(" ")}`);
    expect(report.cases.map((c) => `${c.target} ${c.workload}`)).toEqual(["cpu matmul", "cpu mlp-step"]);
  });

  test("--write-docs replaces only the generated section", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "modular-bench-")), "benchmarks.md");
    writeFileSync(file, "# Benchmarks\n\nHand-written notes.\n");

    const first = await run([...TINY, "--write-docs", file], { env: { npm_lifecycle_event: "bench" } });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Wrote the kernel suite section of ${file}.`);
    const once = readFileSync(file, "utf8");
    expect(once.startsWith("# Benchmarks\n\nHand-written notes.\n\n<!-- @modular/bench kernels: begin -->\n## Kernel suite")).toBe(true);
    expect(once).toContain(`Command: \`pnpm bench ${TINY.slice(2).join(" ")} --write-docs ${file}\`.`);

    await run([...TINY, "--write-docs", file]);
    const twice = readFileSync(file, "utf8");
    expect(twice.match(/## Kernel suite/g)).toHaveLength(1);
    expect(twice).toContain("Hand-written notes.");
  });
});
