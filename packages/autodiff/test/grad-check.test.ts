/** `checkGradients`: it must accept a true gradient and reject a wrong one. */
import { exp, memory, mul, sum, type Tensor, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { checkGradients, customVjp, GradientError } from "../src/index.js";
import "@modular/testing";

describe("checkGradients", () => {
  test("accepts a correct gradient", async () => {
    const result = await checkGradients((x) => sum(exp(x)), [tensor([0.1, -0.4, 0.9])]);

    expect(result.ok).toBe(true);
    expect(result.maxAbsError).toBeLessThan(1e-3);
  });

  test("reports the central differences", async () => {
    const result = await checkGradients((x) => sum(mul(x, x)), [tensor([1, -2])]);

    expect(result.numeric[0]).toBeAllClose([2, -4], { rtol: 1e-3 });
    expect(result.analytic[0]).toBeAllClose([2, -4]);
  });

  test("rejects a wrong backward rule", async () => {
    // exp with the derivative of the identity: off by exp(x) - 1.
    const wrongExp = customVjp((x: Tensor) => exp(x), (dy) => [dy]);
    const result = await checkGradients((x) => sum(wrongExp(x)), [tensor([0.5, 1])]);

    expect(result.ok).toBe(false);
    expect(result.worst).toMatch(/^input 0 element 1: analytic 1, numeric 2\.71/);
  });

  test("rejects a function that is not scalar", async () => {
    await expect(checkGradients((x) => exp(x), [tensor([1, 2])])).rejects.toThrow(GradientError);
  });

  test("leaves no live tensors", async () => {
    const x = tensor([0.1, 0.2, 0.3]);
    const before = memory();
    await checkGradients((input) => sum(exp(mul(input, 2))), [x]);

    expect(memory()).toEqual(before);
  });
});
