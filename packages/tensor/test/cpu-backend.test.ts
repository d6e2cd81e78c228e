/**
 * The cpu backend's synchronous reads and backend selection. These are
 * cpu-only behaviours, so they sit outside the conformance suite.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  add,
  BackendError,
  CpuBackend,
  getBackend,
  listBackends,
  registerBackend,
  setBackend,
  tensor,
} from "../src/index.js";
import "@modular/testing";

beforeAll(async () => {
  await setBackend("cpu");
});

describe("synchronous reads", () => {
  test("dataSync returns a copy", () => {
    const x = tensor([1, 2, 3]);
    const values = x.dataSync();
    values[0] = 100;

    expect(x.dataSync()).toBeAllClose([1, 2, 3]);
  });

  test("arraySync nests by shape", () => {
    expect(tensor([1, 2, 3, 4], [2, 2]).arraySync()).toBeAllClose([
      [1, 2],
      [3, 4],
    ]);
  });

  test("item reads a one-element tensor", () => {
    expect(tensor([[2.5]]).item()).toBe(2.5);
  });

  test("item rejects more than one element", () => {
    expect(() => tensor([1, 2]).item()).toThrow(BackendError);
    expect(() => tensor([1, 2]).item()).toThrow(/needs a tensor with one element, but this one has shape \[2\]/);
  });
});

describe("backend selection", () => {
  test("cpu is active by default", () => {
    expect(getBackend().name).toBe("cpu");
    expect(listBackends()).toContain("cpu");
  });

  test("unknown backend lists registered names", async () => {
    await expect(setBackend("tpu")).rejects.toThrow(BackendError);
    await expect(setBackend("tpu")).rejects.toThrow(/Unknown backend "tpu". Registered backends: cpu/);
  });

  test("inputs on two backends are rejected", async () => {
    registerBackend("second-cpu", () => new CpuBackend());
    const first = tensor([1]);
    await setBackend("second-cpu");
    const second = tensor([2]);
    await setBackend("cpu");

    expect(() => add(first, second)).toThrow(BackendError);
    expect(() => add(first, second)).toThrow(/inputs live on different backends/);
  });
});
