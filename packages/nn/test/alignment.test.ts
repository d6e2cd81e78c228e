/** `alignmentAngle` is finite at the edges, and `trueGradients` matches a tape over the whole model. */
import { Tape } from "@modular/autodiff";
import { tensor, tidy } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import "@modular/testing";
import {
  AlignmentMeter,
  alignmentAngle,
  angleFromDots,
  BatchNorm1d,
  parameterGroups,
  crossEntropy,
  Linear,
  ReLU,
  Sequential,
  trueGradients,
  ZERO_VECTOR_ANGLE,
} from "../src/index.js";

describe("alignmentAngle", () => {
  const cases: readonly [string, number[], number[], number][] = [
    ["identical", [0.3, -1.2, 7], [0.3, -1.2, 7], 0],
    ["same direction", [1, 2, 3], [2, 4, 6], 0],
    ["opposite", [1, -2, 0.5], [-1, 2, -0.5], 180],
    ["orthogonal", [1, 0, 0], [0, 5, 0], 90],
    ["45 degrees", [1, 0], [1, 1], 45],
    ["zero first vector", [0, 0, 0], [1, 2, 3], ZERO_VECTOR_ANGLE],
    ["zero second vector", [1, 2, 3], [0, 0, 0], ZERO_VECTOR_ANGLE],
    ["both zero", [0, 0], [0, 0], ZERO_VECTOR_ANGLE],
  ];

  test.each(cases)("%s", async (_, a, b, expected) => {
    const angle = await alignmentAngle(tensor(a), tensor(b));
    expect(Number.isFinite(angle)).toBe(true);
    expect(angle).toBeCloseTo(expected, 4);
  });

  test("zero vector gives 90 degrees", () => {
    expect(ZERO_VECTOR_ANGLE).toBe(90);
  });

  test("sees tensors of any shape as flat vectors", async () => {
    expect(await alignmentAngle(tensor([[1, 0], [0, 0]]), tensor([0, 1, 0, 0]))).toBeCloseTo(90, 6);
  });

  test("rejects tensors of different sizes", async () => {
    await expect(alignmentAngle(tensor([1, 2]), tensor([1, 2, 3]))).rejects.toThrow(/2 and 3 elements/);
  });

  test("clamps a cosine rounded past 1", () => {
    // dot² slightly above |a|²·|b|², as float32 sums can give for identical vectors.
    expect(angleFromDots(1.0000001, 1, 1)).toBe(0);
    expect(angleFromDots(-1.0000001, 1, 1)).toBe(180);
  });
});

describe("trueGradients", () => {
  test("equals one tape over the whole model", async () => {
    const first = new Sequential([new Linear(3, 4, { seed: 1 }), new ReLU()]);
    const second = new Linear(4, 2, { seed: 2 });
    const x = tensor([[1, -2, 0.5], [0.3, 0.7, -1]]);
    const y = tensor([0, 1], [2], "int32");

    const parameters = [...first.parameters(), ...second.parameters()];
    const tape = new Tape().watch(...parameters.map((p) => p.value));
    const loss = tape.record(() => crossEntropy(second.forward(first.forward(x)), y));
    const expected = tape.gradient(loss, parameters.map((p) => p.value));

    const actual = trueGradients([first, second], { x, y });
    expect(actual).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      await expect(actual[i]!).toBeAllClose(expected[i]!.arraySync() as number[], { atol: 1e-6 });
    }
  });

  test("restores batch-norm running statistics", async () => {
    const norm = new BatchNorm1d(2);
    const head = new Linear(2, 2, { seed: 3 });
    const before = await norm.buffers()[0]!.value.data();
    tidy(() => {
      trueGradients([norm, head], { x: tensor([[1, 5], [3, 9]]), y: tensor([0, 1], [2], "int32") });
    });
    await expect(norm.buffers()[0]!.value).toBeAllClose(Array.from(before));
  });
});

describe("AlignmentMeter", () => {
  test("reports the mean angle per name", async () => {
    const meter = new AlignmentMeter();
    meter.record("module 1/2", [tensor([1, 0])], [tensor([1, 0])]);
    meter.record("module 1/2", [tensor([0, 1])], [tensor([1, 0])]);
    meter.record("module 2/2", [null], [tensor([1, 1])]);
    const stats = await meter.report();
    expect(stats["alignment module 1/2"]).toBeCloseTo(45, 4);
    expect(stats["alignment module 2/2"]).toBe(ZERO_VECTOR_ANGLE);
    expect(await meter.report()).toEqual({});
  });

  test("rejects mismatched lists", () => {
    expect(() => new AlignmentMeter().record("m", [tensor([1])], [])).toThrow(/1 update tensors but 0/);
  });
});

describe("parameterGroups", () => {
  const block = new Sequential([new Sequential([new Linear(3, 4, { seed: 1 }), new ReLU(), new Linear(4, 2, { seed: 2 })])]);

  test("one group per module", () => {
    expect(parameterGroups(block, "module 1/2", "module")).toEqual([{ name: "module 1/2", indices: [0, 1, 2, 3] }]);
  });

  test("one group per layer", () => {
    expect(parameterGroups(block, "module 1/2", "layer")).toEqual([
      { name: "module 1/2 layer 0.0", indices: [0, 1] },
      { name: "module 1/2 layer 0.2", indices: [2, 3] },
    ]);
  });
});
