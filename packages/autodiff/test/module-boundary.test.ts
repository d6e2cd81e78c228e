/**
 * The module boundary: a gradient never crosses from one training module
 * into another unless the scheme requests it with `watch`.
 *
 * Two modules built by hand from tensors:
 *   module 1: h = relu(x W1 + b1)
 *   module 2: logits = h W2 + b2, loss = mean cross-entropy of logits against labels.
 * Module 2's tape must give module 1's parameters no gradient and its own
 * parameters the true gradient. Watching h must give dL/dh equal to the
 * boundary gradient of one end-to-end tape over both modules.
 */
import {
  add,
  logSoftmax,
  matmul,
  mean,
  mul,
  neg,
  oneHot,
  relu,
  sum,
  type Tensor,
  tensor,
} from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { checkGradients, Tape } from "../src/index.js";
import "@modular/testing";
import { fixture } from "./backends.js";

const BATCH = 4;
const INPUTS = 3;
const HIDDEN = 5;
const CLASSES = 3;

function module1(x: Tensor, w1: Tensor, b1: Tensor): Tensor {
  return relu(add(matmul(x, w1), b1));
}

function module2(h: Tensor, w2: Tensor, b2: Tensor): Tensor {
  return add(matmul(h, w2), b2);
}

/** Mean over the batch of −log softmax(logits)[label]. */
function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const picked = sum(mul(oneHot(labels, CLASSES), logSoftmax(logits)), { axis: -1 });
  return neg(mean(picked));
}

function setup() {
  const x = tensor(fixture(BATCH * INPUTS, 1), [BATCH, INPUTS]);
  const w1 = tensor(fixture(INPUTS * HIDDEN, 2), [INPUTS, HIDDEN]);
  const b1 = tensor(fixture(HIDDEN, 3, 0.1, 0.5), [HIDDEN]);
  const w2 = tensor(fixture(HIDDEN * CLASSES, 4), [HIDDEN, CLASSES]);
  const b2 = tensor(fixture(CLASSES, 5), [CLASSES]);
  const labels = tensor(new Int32Array([0, 2, 1, 2]), [BATCH]);
  const loss2 = (h: Tensor, w2Value: Tensor, b2Value: Tensor): Tensor =>
    crossEntropy(module2(h, w2Value, b2Value), labels);
  return { x, w1, b1, w2, b2, labels, loss2 };
}

/** Compute the gradients of one tape over both modules, including dL/dh at the boundary. */
function endToEnd() {
  const { x, w1, b1, w2, b2, loss2 } = setup();
  const tape = new Tape().watch(w1, b1, w2, b2);
  let h: Tensor | undefined;
  const loss = tape.record(() => {
    h = module1(x, w1, b1);
    return loss2(h, w2, b2);
  });
  const [dw1, db1, dh] = tape.gradient(loss, [w1, b1, h!]);
  return { dw1: dw1!, db1: db1!, dh: dh! };
}

describe("module boundary", () => {
  test("module 2's tape gives module 1's parameters no gradient", () => {
    const { x, w1, b1, w2, b2, loss2 } = setup();
    const tape2 = new Tape().watch(w2, b2);
    // Module 1's forward pass runs while module 2's tape records, and still is not recorded.
    let h: Tensor | undefined;
    const loss = tape2.record(() => {
      h = module1(x, w1, b1);
      return loss2(h, w2, b2);
    });

    const [dw1, db1, dw2, db2] = tape2.gradient(loss, [w1, b1, w2, b2]);

    expect(tape2.isTracked(h!)).toBe(false);
    expect(dw1).toBeNull();
    expect(db1).toBeNull();
    expect(dw2).not.toBeNull();
    expect(db2).not.toBeNull();
  });

  test("module 2's parameters get the true gradient", async () => {
    const { x, w1, b1, w2, b2, loss2 } = setup();
    const h = module1(x, w1, b1);
    const tape2 = new Tape().watch(w2, b2);
    const loss = tape2.record(() => loss2(h, w2, b2));
    const [dw2, db2] = tape2.gradient(loss, [w2, b2]);

    const { numeric } = await checkGradients((w, b) => loss2(h, w, b), [w2, b2]);

    expect(await dw2!.data()).toBeAllClose(numeric[0]!, { rtol: 1e-2, atol: 1e-3 });
    expect(await db2!.data()).toBeAllClose(numeric[1]!, { rtol: 1e-2, atol: 1e-3 });
  });

  test("the boundary gets no gradient unless watched", () => {
    const { x, w1, b1, w2, b2, loss2 } = setup();
    const h = module1(x, w1, b1);
    const tape2 = new Tape().watch(w2, b2);
    const loss = tape2.record(() => loss2(h, w2, b2));

    expect(tape2.gradient(loss, [h])).toEqual([null]);
  });

  test("watching h gives the end-to-end boundary gradient", async () => {
    const { x, w1, b1, w2, b2, loss2 } = setup();
    const h = module1(x, w1, b1);
    const tape2 = new Tape().watch(w2, b2, h);
    const loss = tape2.record(() => loss2(h, w2, b2));
    const [dh] = tape2.gradient(loss, [h]);

    expect(dh!.shape).toEqual([BATCH, HIDDEN]);
    expect(await dh!.data()).toBeAllClose(await endToEnd().dh.data());
  });

  test("the boundary gradient matches finite differences on h", async () => {
    const { x, w1, b1, w2, b2, loss2 } = setup();
    const h = module1(x, w1, b1);
    const tape2 = new Tape().watch(w2, b2, h);
    const loss = tape2.record(() => loss2(h, w2, b2));
    const [dh] = tape2.gradient(loss, [h]);

    const { numeric } = await checkGradients((hidden) => loss2(hidden, w2, b2), [h]);

    expect(await dh!.data()).toBeAllClose(numeric[0]!, { rtol: 1e-2, atol: 1e-3 });
  });

  test("dL/dh as cotangent gives module 1 its end-to-end gradient", async () => {
    const { x, w1, b1, w2, b2, loss2 } = setup();
    const tape1 = new Tape().watch(w1, b1);
    const h = tape1.record(() => module1(x, w1, b1));
    const tape2 = new Tape().watch(w2, b2, h);
    const loss = tape2.record(() => loss2(h, w2, b2));
    const [dh] = tape2.gradient(loss, [h]);

    const [dw1, db1] = tape1.gradient(h, [w1, b1], { cotangent: dh! });
    const expected = endToEnd();

    expect(await dw1!.data()).toBeAllClose(await expected.dw1.data());
    expect(await db1!.data()).toBeAllClose(await expected.db1.data());
  });
});
