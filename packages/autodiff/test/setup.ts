// Destroy the WebGPU device after each test file: a live Dawn device keeps
// threads running that crash the worker process on exit.
import { afterAll } from "vitest";
import { disposeBackends } from "@modular/tensor";

afterAll(() => {
  disposeBackends();
});
