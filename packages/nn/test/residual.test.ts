/** Residual: identity and projection shortcuts, the activation, shapes, gradients and modes. */
import { checkGradients } from "@modular/autodiff";
import { mul, ShapeError, sum, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { BatchNorm1d, Linear, ReLU, Residual, Sequential, tapeFor } from "../src/index.js";
import "@modular/testing";
import { describeOnBackends, fixture } from "./backends.js";

/** Linear(in -> out) with fixed weights from `seed` and bias 0.1. */
function fixedLinear(inFeatures: number, outFeatures: number, seed: number): Linear {
  const layer = new Linear(inFeatures, outFeatures);
  layer.weight.assign(tensor(fixture(inFeatures * outFeatures, seed), [inFeatures, outFeatures]));
  layer.bias!.assign(tensor(new Array(outFeatures).fill(0.1)));
  return layer;
}

describeOnBackends("Residual", () => {
  test("identity shortcut adds the input", async () => {
    const body = fixedLinear(4, 4, 1);
    const block = new Residual(body);
    const x = tensor(fixture(12, 2), [3, 4]);

    const y = block.forward(x);

    const bodyOut = await body.forward(x).data();
    const input = await x.data();
    expect(y.shape).toEqual([3, 4]);
    expect(await y.data()).toBeAllClose(Array.from(bodyOut, (v, i) => v + input[i]!));
  });

  test("projection shortcut and activation", async () => {
    const body = fixedLinear(4, 6, 3);
    const shortcut = fixedLinear(4, 6, 4);
    const block = new Residual(body, { shortcut, activation: new ReLU() });
    const x = tensor(fixture(8, 5), [2, 4]);

    const y = block.forward(x);

    const a = await body.forward(x).data();
    const b = await shortcut.forward(x).data();
    expect(y.shape).toEqual([2, 6]);
    expect(await y.data()).toBeAllClose(Array.from(a, (v, i) => Math.max(0, v + b[i]!)));
  });

  test("gradient matches finite differences", async () => {
    const block = new Residual(new Sequential([fixedLinear(3, 3, 6), new ReLU(), fixedLinear(3, 3, 7)]), {
      shortcut: fixedLinear(3, 3, 8),
    });
    const x = tensor(fixture(6, 9), [2, 3]);
    const projection = tensor(fixture(6, 10), [2, 3]);

    const result = await checkGradients((xs) => sum(mul(block.forward(xs!), projection)), [x]);

    expect(result.ok, result.worst).toBe(true);
  });

  test("parameters of both paths get gradients", async () => {
    const block = new Residual(fixedLinear(3, 3, 11), { shortcut: fixedLinear(3, 3, 12) });
    const x = tensor(fixture(6, 13), [2, 3]);
    const projection = tensor(fixture(6, 14), [2, 3]);
    const tape = tapeFor(block.parameters());

    const loss = tape.record(() => sum(mul(block.forward(x), projection)));
    const gradients = tape.gradient(loss, block.parameters().map((p) => p.value));

    expect(block.namedParameters().map(([name]) => name)).toEqual(["body.weight", "body.bias", "shortcut.weight", "shortcut.bias"]);
    // Both paths see the same input and the same upstream signal, so their gradients are equal.
    expect(await gradients[2]!.data()).toBeAllClose(await gradients[0]!.data());
    expect(await gradients[3]!.data()).toBeAllClose(await gradients[1]!.data());
    expect(await gradients[1]!.data()).toBeAllClose(await sum(projection, { axis: 0 }).data());
  });
});

describe("Residual configuration", () => {
  test("mismatched shapes raise a ShapeError naming both", () => {
    const block = new Residual(new Linear(4, 6));
    const x = tensor(fixture(8, 1), [2, 4]);

    expect(() => block.forward(x)).toThrow(ShapeError);
    expect(() => block.forward(x)).toThrow(
      "the body returned [2, 6] but the identity shortcut (the input) returned [2, 4]; they must be equal to be added.",
    );
  });

  test("a shortcut of the wrong width is named", () => {
    const block = new Residual(new Linear(4, 6), { shortcut: new Linear(4, 5) });

    expect(() => block.forward(tensor(fixture(8, 1), [2, 4]))).toThrow(/but the shortcut returned \[2, 5\]/);
  });

  test("eval mode reaches the body", () => {
    const norm = new BatchNorm1d(4);
    const block = new Residual(new Sequential([new Linear(4, 4), norm]), { activation: new ReLU() });

    block.eval();

    expect(norm.training).toBe(false);
    expect(block.buffers()).toHaveLength(2);
    expect(block.describe()).toBe("Residual(Linear(4 -> 4) -> BatchNorm1d(4), then ReLU)");
  });
});
