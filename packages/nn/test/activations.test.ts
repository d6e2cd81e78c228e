/** LeakyReLU: values, gradient and configuration. */
import { checkGradients, Tape } from "@modular/autodiff";
import { mul, sum, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { ConfigError, LeakyReLU } from "../src/index.js";
import "@modular/testing";
import { describeOnBackends, fixture } from "./backends.js";

describeOnBackends("LeakyReLU", () => {
  test("default slope is 0.01", async () => {
    const y = new LeakyReLU().forward(tensor([[-2, -0.5, 0], [0.5, 3, -100]]));

    expect(y.shape).toEqual([2, 3]);
    expect(await y.data()).toBeAllClose([-0.02, -0.005, 0, 0.5, 3, -1]);
  });

  test("custom slope scales negative inputs", async () => {
    const y = new LeakyReLU(0.2).forward(tensor([-4, -1, 1, 4]));

    expect(await y.data()).toBeAllClose([-0.8, -0.2, 1, 4]);
  });

  test("gradient matches finite differences", async () => {
    // |x| ≥ 0.2, away from the kink at 0, so finite differences with ε = 0.01 see one side only.
    const x = tensor(fixture(12, 1, 0.2, 1).map((v, i) => (i % 2 === 0 ? v : -v)), [3, 4]);
    const projection = tensor(fixture(12, 2), [3, 4]);
    const layer = new LeakyReLU(0.1);

    const result = await checkGradients((xs) => sum(mul(layer.forward(xs!), projection)), [x]);

    expect(result.ok, result.worst).toBe(true);
  });

  test("gradient is 1 above zero and the slope elsewhere", async () => {
    const x = tensor([-3, -0.1, 0, 0.1, 3]);
    const tape = new Tape().watch(x);

    const loss = tape.record(() => sum(new LeakyReLU(0.3).forward(x)));
    const [dx] = tape.gradient(loss, [x]);

    expect(await dx!.data()).toBeAllClose([0.3, 0.3, 0.3, 1, 1]);
  });
});

describe("LeakyReLU configuration", () => {
  test.each([Number.NaN, Number.POSITIVE_INFINITY])("rejects slope %f", (slope) => {
    expect(() => new LeakyReLU(slope)).toThrow(ConfigError);
    expect(() => new LeakyReLU(slope)).toThrow(`LeakyReLU: negativeSlope ${slope} is invalid`);
  });

  test("describes its slope", () => {
    expect(new LeakyReLU().describe()).toBe("LeakyReLU(0.01)");
  });
});
