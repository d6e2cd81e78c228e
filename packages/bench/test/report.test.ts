import { describe, expect, test } from "vitest";
import {
  BenchDocumentError,
  computeRatios,
  formatMarkdownSection,
  formatMarkdownTable,
  type KernelSuiteReport,
  type MeasuredCase,
  resolveKernelSuiteOptions,
  SECTION_BEGIN,
  SECTION_END,
  type Target,
  updateMarkedSection,
  type WorkloadName,
} from "../src/index.js";

const LAVAPIPE = { vendor: "mesa", architecture: "software", device: "", description: "llvmpipe (LLVM 15.0.6, 256 bits)" };

function measured(target: Target, workload: WorkloadName, size: number, throughput: number): MeasuredCase {
  const medianMs = workload === "matmul" ? (2 * size ** 3) / (throughput * 1e6) : (size * 1000) / throughput;
  return {
    workload,
    size,
    target,
    timing: { medianMs, samplesMs: [medianMs], iterations: 1 },
    throughput,
    unit: workload === "matmul" ? "GFLOP/s" : "samples/s",
  };
}

function sampleReport(): KernelSuiteReport {
  const options = resolveKernelSuiteOptions({ sizes: [512, 1024], targets: ["webgpu", "tfjs-webgpu", "cpu"], mlpBatch: 128 });
  const cases = [
    measured("webgpu", "matmul", 512, 6),
    measured("webgpu", "matmul", 1024, 4.5),
    measured("webgpu", "mlp-step", 128, 900),
    measured("tfjs-webgpu", "matmul", 512, 3),
    measured("tfjs-webgpu", "matmul", 1024, 3),
    measured("tfjs-webgpu", "mlp-step", 128, 450),
    measured("cpu", "matmul", 512, 1.5),
    measured("cpu", "matmul", 1024, 1.25),
    measured("cpu", "mlp-step", 128, 1234.5),
  ];
  return {
    suite: "kernels",
    startedAt: "2026-12-04T23:00:00.000Z",
    options,
    adapters: { webgpu: LAVAPIPE, "tfjs-webgpu": LAVAPIPE },
    sameAdapter: true,
    cases,
    ratios: computeRatios(cases),
  };
}

describe("computeRatios", () => {
  test("divides ours by the peer per workload", () => {
    const ratios = computeRatios(sampleReport().cases);
    expect(ratios).toEqual([
      { workload: "matmul", size: 512, ours: "webgpu", peer: "tfjs-webgpu", ratio: 2 },
      { workload: "matmul", size: 1024, ours: "webgpu", peer: "tfjs-webgpu", ratio: 1.5 },
      { workload: "mlp-step", size: 128, ours: "webgpu", peer: "tfjs-webgpu", ratio: 2 },
    ]);
  });

  test("skips a pair whose peer did not run", () => {
    expect(computeRatios([measured("cpu", "matmul", 64, 1)])).toEqual([]);
  });
});

describe("formatMarkdownTable", () => {
  test("has one column per target and per compared pair", () => {
    const [header, rule] = formatMarkdownTable(sampleReport()).split("\n");
    expect(header).toBe("| workload | `webgpu` | `tfjs-webgpu` | `cpu` | webgpu / tfjs-webgpu |");
    expect(rule).toBe("|---|---|---|---|---|");
  });

  test("has one row per matmul size and the MLP step", () => {
    const rows = formatMarkdownTable(sampleReport()).split("\n").slice(2);
    expect(rows).toEqual([
      "| matmul 512×512 | 6.00 GFLOP/s | 3.00 GFLOP/s | 1.50 GFLOP/s | 2.00× |",
      "| matmul 1024×1024 | 4.50 GFLOP/s | 3.00 GFLOP/s | 1.25 GFLOP/s | 1.50× |",
      "| MLP step 784-512-512-10, batch 128 | 900 samples/s | 450 samples/s | 1,235 samples/s | 2.00× |",
    ]);
  });

  test("marks a missing measurement", () => {
    const report = sampleReport();
    const partial = { ...report, cases: report.cases.filter((c) => c.target !== "cpu" || c.workload !== "mlp-step") };
    expect(formatMarkdownTable(partial)).toContain("| 450 samples/s | not run |");
  });
});

describe("formatMarkdownSection", () => {
  const section = formatMarkdownSection(sampleReport(), { command: "pnpm bench --write-docs", machine: "test machine" });

  test("is wrapped in the markers", () => {
    expect(section.startsWith(`${SECTION_BEGIN}\n`)).toBe(true);
    expect(section.endsWith(SECTION_END)).toBe(true);
  });

  test("names command, date, adapters and machine", () => {
    expect(section).toContain("Command: `pnpm bench --write-docs`. Date: 2026-12-04");
    expect(section).toContain("Adapter of `webgpu`: mesa software llvmpipe (LLVM 15.0.6, 256 bits).");
    expect(section).toContain("Adapter of `tfjs-webgpu`: mesa software llvmpipe (LLVM 15.0.6, 256 bits).");
    expect(section).toContain("Both WebGPU targets ran on the same adapter.");
    expect(section).toContain("Machine: test machine.");
  });

  test("warns when the adapters differ", () => {
    const text = formatMarkdownSection({ ...sampleReport(), sameAdapter: false }, { command: "c", machine: "m" });
    expect(text).toContain("WARNING: the two WebGPU targets ran on different adapters");
  });
});

describe("updateMarkedSection", () => {
  const section = `${SECTION_BEGIN}\nnew\n${SECTION_END}`;

  test("appends the section when the markers are absent", () => {
    expect(updateMarkedSection("# Benchmarks\n\nOld text.\n", section)).toBe(`# Benchmarks\n\nOld text.\n\n${section}\n`);
  });

  test("creates a document from nothing", () => {
    expect(updateMarkedSection("", section)).toBe(`${section}\n`);
  });

  test("replaces only the marked section", () => {
    const document = `# Benchmarks\n\nBefore.\n\n${SECTION_BEGIN}\nold\n${SECTION_END}\n\nAfter.\n`;
    expect(updateMarkedSection(document, section)).toBe(`# Benchmarks\n\nBefore.\n\n${section}\n\nAfter.\n`);
  });

  test("is stable when run twice", () => {
    const once = updateMarkedSection("# Benchmarks\n", section);
    expect(updateMarkedSection(once, section)).toBe(once);
  });

  test.each([
    ["only the begin marker", `${SECTION_BEGIN}\ntext`],
    ["only the end marker", `text\n${SECTION_END}`],
    ["markers out of order", `${SECTION_END}\ntext\n${SECTION_BEGIN}`],
  ])("rejects %s", (_name, document) => {
    expect(() => updateMarkedSection(document, section)).toThrow(BenchDocumentError);
  });
});
