/** Dropout: mask statistics, seeding, scaling, eval mode and gradients. */
import { Tape } from "@modular/autodiff";
import { ones, setBackend, sum, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { ConfigError, Dropout, Sequential } from "../src/index.js";
import "@modular/testing";
import { describeOnBackends, fixture } from "./backends.js";

/** Output of one train-mode call on a [100, 100] tensor of ones: 0 where dropped, 1 / (1 − p) where kept. */
async function maskOf(layer: Dropout): Promise<Float32Array> {
  return Float32Array.from(await layer.forward(ones([100, 100])).data());
}

describeOnBackends("Dropout", () => {
  test.each([0.1, 0.3, 0.5, 0.9])("zeroes a fraction close to p = %f", async (p) => {
    const values = await maskOf(new Dropout(p, { seed: 3 }));

    const zeros = values.filter((v) => v === 0).length / values.length;
    // 10,000 Bernoulli(p) draws have a standard deviation of at most 0.005; 0.02 is four of them.
    expect(Math.abs(zeros - p)).toBeLessThan(0.02);
  });

  test("scales survivors by 1 / (1 - p)", async () => {
    const layer = new Dropout(0.25, { seed: 1 });
    const x = tensor(fixture(400, 2, 0.5, 2), [20, 20]);

    const y = await layer.forward(x).data();

    const input = await x.data();
    let survivors = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] === 0) continue;
      survivors++;
      expect(y[i]).toBeCloseTo(input[i]! / 0.75, 5);
    }
    expect(survivors).toBeGreaterThan(250);
  });

  test("same seed gives the same masks", async () => {
    const first = new Dropout(0.5, { seed: 42 });
    const second = new Dropout(0.5, { seed: 42 });

    expect(await maskOf(first)).toEqual(await maskOf(second));
    expect(await maskOf(first)).toEqual(await maskOf(second));
  });

  test("each call draws a new mask", async () => {
    const layer = new Dropout(0.5, { seed: 42 });

    const first = await maskOf(layer);
    const second = await maskOf(layer);

    expect(layer.maskCount).toBe(2);
    const differing = first.filter((v, i) => v !== second[i]).length;
    // Two independent masks at p = 0.5 differ in about half of 10,000 places.
    expect(differing).toBeGreaterThan(4000);
  });

  test("another seed gives another mask", async () => {
    const a = await maskOf(new Dropout(0.5, { seed: 1 }));
    const b = await maskOf(new Dropout(0.5, { seed: 2 }));

    expect(a.filter((v, i) => v !== b[i]).length).toBeGreaterThan(4000);
  });

  test("eval mode is the identity", async () => {
    const layer = new Dropout(0.5, { seed: 1 });
    const x = tensor(fixture(50, 3), [5, 10]);
    new Sequential([layer]).eval();

    expect(await layer.forward(x).data()).toEqual(await x.data());
    expect(layer.maskCount).toBe(0);
  });

  test("p = 0 is the identity", async () => {
    const x = tensor(fixture(20, 4), [4, 5]);

    expect(await new Dropout(0).forward(x).data()).toEqual(await x.data());
  });

  test("gradient is the mask times 1 / (1 - p)", async () => {
    const layer = new Dropout(0.4, { seed: 5 });
    const x = tensor(fixture(60, 6, 0.5, 2), [6, 10]);
    const tape = new Tape().watch(x);

    const [y, loss] = tape.record(() => {
      const out = layer.forward(x);
      return [out, sum(out)] as const;
    });
    const [dx] = tape.gradient(loss, [x]);

    const output = await y.data();
    const expected = Array.from(output, (v) => (v === 0 ? 0 : 1 / 0.6));
    expect(await dx!.data()).toBeAllClose(expected);
  });
});

describe("Dropout configuration", () => {
  test("masks match across backends", async () => {
    const cpu = await maskOf(new Dropout(0.3, { seed: 11 }));
    await setBackend("webgpu");
    try {
      expect(await maskOf(new Dropout(0.3, { seed: 11 }))).toEqual(cpu);
    } finally {
      await setBackend("cpu");
    }
  });

  test.each([-0.1, 1, 1.5, Number.NaN])("rejects p = %f", (p) => {
    expect(() => new Dropout(p)).toThrow(ConfigError);
    expect(() => new Dropout(p)).toThrow(`Dropout: p ${p} is invalid; it must be a probability in [0, 1)`);
  });

  test.each([-1, 0.5, 2 ** 32])("rejects seed %f", (seed) => {
    expect(() => new Dropout(0.5, { seed })).toThrow(`Dropout: seed ${seed} is invalid`);
  });

  test("has no parameters", () => {
    const layer = new Dropout(0.5);

    expect(layer.parameters()).toEqual([]);
    expect(layer.describe()).toBe("Dropout(p=0.5)");
  });
});
