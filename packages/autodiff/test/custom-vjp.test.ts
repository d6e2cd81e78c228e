/** `customVjp`: an op whose backward rule is the caller's, recorded as one node. */
import { addOpListener, exp, matmul, mul, sum, type Tensor, tensor, tidy } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { customVjp, Tape, type VjpContext } from "../src/index.js";
import "@modular/testing";

const FIXED = [
  [0.5, -1],
  [2, 0.25],
];

/** x * w element-wise, with a backward rule that returns FIXED for x whatever the cotangent. */
const scaledByFixed = customVjp(
  (x: Tensor, w: Tensor) => mul(x, w),
  () => [tensor(FIXED), null],
);

describe("customVjp", () => {
  test("forward computes the wrapped function", async () => {
    const y = scaledByFixed(tensor([[1, 2], [3, 4]]), tensor([[2, 2], [2, 2]]));

    expect(await y.array()).toBeAllClose([
      [2, 4],
      [6, 8],
    ]);
  });

  test("the gradient is the given backward rule", async () => {
    const x = tensor([[1, 2], [3, 4]]);
    const w = tensor([[2, 2], [2, 2]]);
    const tape = new Tape().watch(x, w);
    const loss = tape.record(() => sum(scaledByFixed(x, w)));
    const [dx, dw] = tape.gradient(loss, [x, w]);

    expect(await dx!.array()).toBeAllClose(FIXED);
    expect(dw).toBeNull();
  });

  test("records one node and nothing inside forward", () => {
    const x = tensor([1, 2]);
    const tape = new Tape().watch(x);
    const noisy = customVjp(
      (a: Tensor) => mul(exp(mul(a, 2)), a),
      (dy) => [dy],
    );
    tape.record(() => noisy(x));

    expect(tape.size).toBe(1);
  });

  test("a feedback matrix replaces the transposed weights", async () => {
    // Feedback alignment: y = x w, but dx = dy bᵀ for a fixed matrix b of w's shape.
    const feedback = tensor([
      [1, 0, -1],
      [0, 2, 0],
    ]);
    const linear = customVjp(
      (x: Tensor, w: Tensor) => matmul(x, w),
      (dy, { inputs: [x] }: VjpContext) => [
        matmul(dy, feedback, { transposeB: true }),
        matmul(x!, dy, { transposeA: true }),
      ],
    );
    const x = tensor([[1, 2]]);
    const w = tensor([
      [5, 6, 7],
      [8, 9, 10],
    ]);
    const tape = new Tape().watch(x, w);
    const y = tape.record(() => linear(x, w));
    const [dx, dw] = tape.gradient(y, [x, w], { cotangent: tensor([[1, 1, 1]]) });

    expect(await dx!.array()).toBeAllClose([[0, 2]]);
    expect(await dw!.array()).toBeAllClose([
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });

  test("the node is recorded under the given name", () => {
    const names: string[] = [];
    const named = customVjp((a: Tensor) => exp(a), (dy) => [dy], "feedbackAlignment");
    const stop = addOpListener((op) => names.push(op.name));
    named(tensor([1]));
    stop();

    expect(names).toEqual(["feedbackAlignment"]);
  });

  test("an identity forward still gets its own output", async () => {
    const x = tensor([1, 2]);
    const tripleGradient = customVjp((a: Tensor) => a, (dy) => [mul(dy, 3)]);
    const tape = new Tape().watch(x);
    const y = tape.record(() => tripleGradient(x));
    const loss = tape.record(() => sum(y));
    const [dx] = tape.gradient(loss, [x]);

    expect(y).not.toBe(x);
    expect(await y.data()).toBeAllClose([1, 2]);
    expect(await dx!.data()).toBeAllClose([3, 3]);
  });

  test("backward receives the inputs, output and needs", () => {
    let seen: VjpContext | undefined;
    const spy = customVjp(
      (a: Tensor, b: Tensor) => mul(a, b),
      (dy, context) => {
        seen = context;
        return [dy, dy];
      },
    );
    const a = tensor([1]);
    const b = tensor([2]);
    const tape = new Tape().watch(a);
    let y: Tensor | undefined;
    const loss = tape.record(() => {
      y = spy(a, b);
      return sum(y);
    });
    tidy(() => tape.gradient(loss, [a]));

    expect(seen?.inputs).toEqual([a, b]);
    expect(seen?.output).toBe(y);
    expect(seen?.needs).toEqual([true, false]);
  });
});
