/**
 * Behaviour of the webgpu backend that the conformance suites cannot see:
 * the buffer pool under a training-like loop, errors for tensors over the
 * device limits, and the device limits it requested. Runs on any WebGPU
 * adapter; without one, `setBackend` fails with an install hint.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  add,
  BackendError,
  matmul,
  memory,
  mul,
  full,
  registerWebGpu,
  relu,
  setBackend,
  softmax,
  sub,
  sum,
  type Tensor,
  tensor,
  tidy,
  WebGpuBackend,
  zeros,
} from "../src/index.js";
import { fixture } from "./conformance.js";

registerWebGpu();

let backend: WebGpuBackend;

beforeAll(async () => {
  const active = await setBackend("webgpu");
  if (!(active instanceof WebGpuBackend)) throw new Error(`expected a WebGpuBackend, got ${active.name}`);
  backend = active;
});

/** Run a small training-like step inside `tidy`: a layer forward pass and a loss. */
function step(weights: Tensor, input: Tensor): void {
  tidy(() => {
    const hidden = relu(matmul(input, weights));
    const probabilities = softmax(hidden, -1);
    const loss = sum(mul(probabilities, probabilities));
    return sub(add(loss, 1), 1);
  }).dispose();
}

/** Wait for the queued work by reading `x` back, then free it. */
async function readAndDispose(x: Tensor): Promise<void> {
  await x.data();
  x.dispose();
}

describe("webgpu backend", () => {
  test("tidy loop keeps tensors, bytes and pool flat", async () => {
    const weights = tensor(fixture(16 * 8, 1), [16, 8]);
    const input = tensor(fixture(4 * 16, 2), [4, 16]);
    for (let i = 0; i < 100; i++) step(weights, input);
    await readAndDispose(sum(weights));
    const liveBefore = memory();
    const poolBefore = backend.memoryStats();

    for (let i = 0; i < 300; i++) step(weights, input);
    await readAndDispose(sum(weights));

    const liveAfter = memory();
    const poolAfter = backend.memoryStats();
    expect(liveAfter).toEqual(liveBefore);
    // Released buffers wait for the next submit, so the pool's peak moves by a few buffers with how
    // the steps align with submits. A leak of one buffer per step would add 300.
    expect(poolAfter.buffersAllocated - poolBefore.buffersAllocated).toBeLessThan(16);
    expect(poolAfter.bytesAllocated - poolBefore.bytesAllocated).toBeLessThan(16 * 1024);
    expect(poolAfter.buffersInUse).toBe(poolBefore.buffersInUse);
  });

  test("pool reuses a released buffer", () => {
    const before = backend.memoryStats().buffersAllocated;
    for (let i = 0; i < 50; i++) zeros([1000]).dispose();

    expect(backend.memoryStats().buffersAllocated - before).toBeLessThanOrEqual(1);
  });

  test("tensor over maxStorageBufferBindingSize is rejected", () => {
    const limit = backend.limits.maxStorageBufferBindingSize;
    const size = Math.floor(limit / 4) + 4;

    expect(() => zeros([size])).toThrow(BackendError);
    expect(() => zeros([size])).toThrow(/maxStorageBufferBindingSize/);
    expect(() => zeros([size])).toThrow(new RegExp(`${size} elements`));
  });

  test("requested limits are the adapter's", () => {
    const limits = backend.context.adapter.limits;

    expect(backend.limits.maxStorageBufferBindingSize).toBe(limits.maxStorageBufferBindingSize);
    expect(backend.limits.maxBufferSize).toBe(limits.maxBufferSize);
    expect(backend.limits.maxComputeWorkgroupsPerDimension).toBe(limits.maxComputeWorkgroupsPerDimension);
    expect(backend.limits.maxStorageBuffersPerShaderStage).toBe(limits.maxStorageBuffersPerShaderStage);
  });

  // Lavapipe needs a few seconds for 16.8M elements on a loaded machine, hence the longer timeout.
  test("element-wise op over 65535 workgroups", { timeout: 60_000 }, async () => {
    const size = 256 * 65535 + 1000;
    const x = full([size], 2);
    const values = await add(x, 1).data();

    expect(values[0]).toBe(3);
    expect(values[256 * 65535 - 1]).toBe(3);
    expect(values[256 * 65535]).toBe(3);
    expect(values[size - 1]).toBe(3);
  });
});
