/** Module checkpoints: round trips, reuse in another model, and mismatches. */
import { tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  CheckpointFormatError,
  Linear,
  loadModule,
  mlp,
  parseSafetensors,
  ReLU,
  Sequential,
  serializeModule,
  splitBeforeOutput,
} from "../src/index.js";

/** Raw bits of every parameter, by name, so comparisons are exact. */
function bitsOf(module: Sequential | Linear): Record<string, number[]> {
  return Object.fromEntries(
    module.namedParameters().map(([name, p]) => [name, Array.from(new Uint32Array((p.value.dataSync() as Float32Array).slice().buffer))]),
  );
}

function loadError(module: Sequential | Linear, bytes: Uint8Array): CheckpointFormatError {
  try {
    loadModule(module, bytes, "saved.safetensors");
  } catch (error) {
    if (error instanceof CheckpointFormatError) return error;
    throw error;
  }
  throw new Error("loadModule accepted a mismatched file");
}

describe("module checkpoints", () => {
  test("round trip restores every parameter exactly", async () => {
    const [body] = splitBeforeOutput(mlp({ kind: "mlp", inputShape: [4], hidden: [5, 3], classes: 2 }, 1));
    const bytes = await serializeModule(body!, { module: "1/2" });
    const [target] = splitBeforeOutput(mlp({ kind: "mlp", inputShape: [4], hidden: [5, 3], classes: 2 }, 2));
    expect(bitsOf(target!)).not.toEqual(bitsOf(body!));

    loadModule(target!, bytes, "memory");

    expect(bitsOf(target!)).toEqual(bitsOf(body!));
    expect(parseSafetensors(bytes, "memory").metadata).toEqual({ module: "1/2" });
  });

  test("a trained body is reused in a model with another head", async () => {
    // Both bodies are [Flatten, Linear(4 -> 6), ReLU]; the heads differ (2 and 10 classes).
    const source = mlp({ kind: "mlp", inputShape: [4], hidden: [6], classes: 2 }, 3);
    const target = mlp({ kind: "mlp", inputShape: [4], hidden: [6], classes: 10 }, 4);
    const [sourceBody] = splitBeforeOutput(source);
    const [targetBody, targetHead] = splitBeforeOutput(target);
    const headBefore = bitsOf(targetHead!);

    loadModule(targetBody!, await serializeModule(sourceBody!), "body.safetensors");

    expect(bitsOf(targetBody!)).toEqual(bitsOf(sourceBody!));
    expect(bitsOf(targetHead!)).toEqual(headBefore);
    const x = tensor([[0.1, 0.2, 0.3, 0.4], [1, 0, -1, 2], [0, 0, 0, 1]]);
    expect(targetBody!.forward(x).dataSync()).toEqual(sourceBody!.forward(x).dataSync());
    expect(target.forward(x).shape).toEqual([3, 10]);
  });

  test("a shape mismatch names the tensor and both shapes", async () => {
    const saved = await serializeModule(new Sequential([new Linear(4, 6)]));
    const error = loadError(new Sequential([new Linear(4, 7)]), saved);

    expect(error.location).toBe('tensor "0.weight"');
    expect(error.message).toMatch(/expected float32 shape \[4, 7\].*found float32 shape \[4, 6\]/);
  });

  test("a parameter missing from the file is named", async () => {
    const saved = await serializeModule(new Sequential([new Linear(4, 6, { bias: false })]));
    const error = loadError(new Sequential([new Linear(4, 6)]), saved);

    expect(error.location).toBe('tensor "0.bias"');
    expect(error.found).toMatch(/no such tensor \(the file has "0.weight"\)/);
  });

  test("a tensor the module lacks is named", async () => {
    const saved = await serializeModule(new Sequential([new Linear(4, 6), new ReLU(), new Linear(6, 2)]));
    const error = loadError(new Sequential([new Linear(4, 6)]), saved);

    expect(error.location).toBe('tensor "2.weight"');
    expect(error.found).toBe("a tensor that matches none of them");
  });

  test("a failed load leaves the module unchanged", async () => {
    const module = new Sequential([new Linear(4, 6), new Linear(6, 3)]);
    const before = bitsOf(module);
    const saved = await serializeModule(new Sequential([new Linear(4, 6, { seed: 9 }), new Linear(6, 4)]));

    expect(() => loadModule(module, saved, "saved.safetensors")).toThrow(CheckpointFormatError);
    expect(bitsOf(module)).toEqual(before);
  });
});
