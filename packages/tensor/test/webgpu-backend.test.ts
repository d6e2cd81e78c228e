/**
 * Behaviour of the webgpu backend that the conformance suites cannot see:
 * the buffer pool under a training-like loop, errors for tensors over the
 * device limits, and the device limits it requested. Runs on any WebGPU
 * adapter; without one, `setBackend` fails with an install hint.
 */
/// <reference types="@webgpu/types" />
import { beforeAll, describe, expect, test } from "vitest";
import {
  add,
  argmax,
  BackendError,
  createWebGpuBackend,
  CpuBackend,
  type DType,
  matmul,
  max,
  memory,
  mul,
  full,
  registerAutoBackend,
  registerWebGpu,
  relu,
  setBackend,
  softmax,
  type Storage,
  type TensorInfo,
  sub,
  sum,
  type Tensor,
  tensor,
  tidy,
  WebGpuBackend,
  WebGpuDeviceError,
  zeros,
} from "../src/index.js";
import "@modular/testing";
import { fixture, sizeOfShape } from "./conformance.js";

registerWebGpu();

let backend: WebGpuBackend;

/**
 * Skip a test of a tensor just over `maxStorageBufferBindingSize` when that
 * size is also over `maxBufferSize`, because no such tensor can exist on the
 * adapter. On lavapipe, headless Chromium (the browser tests) reported
 * 1 GiB for both limits, while Dawn on Node.js binds 128 MiB of a 1 GiB buffer.
 */
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

const cpu = new CpuBackend();

/** Run `kernel` on the cpu backend with copies of `inputs`, and return its `size` output elements. */
async function onCpu(
  inputs: readonly Tensor[],
  kernel: (infos: TensorInfo[]) => Storage,
  size: number,
  dtype: DType = "float32",
): Promise<number[]> {
  const infos: TensorInfo[] = [];
  for (const x of inputs) {
    infos.push({ storage: cpu.upload(await x.data(), x.dtype), shape: x.shape, dtype: x.dtype });
  }
  return Array.from(await cpu.read(kernel(infos), dtype, size));
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

  test("auto skips software adapters", async () => {
    const messages: string[] = [];
    registerAutoBackend({ log: (message) => messages.push(message) });
    const expected = backend.context.isFallbackAdapter ? "cpu" : "webgpu";

    const picked = await setBackend("auto");
    await setBackend("webgpu");

    expect(picked.name).toBe(expected);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(new RegExp(`^auto: picked ${expected} `));
  });

  test("pool reuses a released buffer", () => {
    const before = backend.memoryStats().buffersAllocated;
    for (let i = 0; i < 50; i++) zeros([1000]).dispose();

    expect(backend.memoryStats().buffersAllocated - before).toBeLessThanOrEqual(1);
  });

  // A tensor just over lavapipe's 128 MiB binding limit (most adapters share that default): element-wise
  // ops run in several dispatches over aligned ranges. The row length of 1000 does not divide the chunk
  // length, so a chunk that lost its base index would read the wrong element of the broadcast row.
  // SwiftShader in Chromium allows one binding to span a whole buffer (both limits 1 GiB), so no tensor can
  // be larger than one binding there. The two tests below skip on such an adapter; lavapipe runs them.
  const bindingBelowBuffer = (): boolean =>
    backend.limits.maxStorageBufferBindingSize + 1024 * 1024 <= backend.limits.maxBufferSize;

  test("element-wise op over one binding", { timeout: 120_000 }, async (context) => {
    if (!bindingBelowBuffer()) context.skip("this adapter's binding limit equals its buffer limit");
    const columns = 1000;
    const rows = Math.floor(backend.limits.maxStorageBufferBindingSize / 4 / columns) + 1;
    const size = rows * columns;
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = i % 7919;
    const rowValues = Float32Array.from({ length: columns }, (_, j) => j * 10_000);
    const x = tensor(values, [rows, columns]);
    const y = add(mul(x, tensor(rowValues, [columns])), 0.5);
    const result = await y.data();

    let mismatches = 0;
    for (let i = 0; i < size; i++) {
      if (result[i] !== Math.fround(Math.fround((i % 7919) * rowValues[i % columns]!) + 0.5)) mismatches++;
    }
    expect(size * 4).toBeGreaterThan(backend.limits.maxStorageBufferBindingSize);
    expect(mismatches).toBe(0);
    x.dispose();
    y.dispose();
  });

  test("sum over one binding fails", (context) => {
    if (!bindingBelowBuffer()) context.skip("this adapter's binding limit equals its buffer limit");
    const rows = Math.floor(backend.limits.maxStorageBufferBindingSize / 4 / 1024) + 1;
    const x = zeros([rows, 1024]);

    expect(() => sum(x)).toThrow(BackendError);
    expect(() => sum(x)).toThrow(`shape [${rows}, 1024]`);
    expect(() => sum(x)).toThrow(/maxStorageBufferBindingSize/);
    x.dispose();
  });

  test("tensor over maxBufferSize is rejected", () => {
    const size = Math.floor(backend.limits.maxBufferSize / 4) + 4;

    expect(() => zeros([size])).toThrow(BackendError);
    expect(() => zeros([size])).toThrow(/maxBufferSize/);
    expect(() => zeros([size])).toThrow(new RegExp(`${size} elements`));
  });

  test("matmul output over the limit names its shape", () => {
    const limit = backend.limits.maxStorageBufferBindingSize;
    const columns = Math.floor(limit / 4 / 8193) + 1;
    const a = zeros([8193, 1]);
    const b = zeros([1, columns]);

    expect(() => matmul(a, b)).toThrow(BackendError);
    expect(() => matmul(a, b)).toThrow(`shape [8193, ${columns}]`);
  });

  test("device error fails later calls", async () => {
    const other = await createWebGpuBackend();
    try {
      // MAP_READ may only be combined with COPY_DST, so this buffer is invalid.
      other.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      await other.device.queue.onSubmittedWorkDone();

      expect(() => other.fill(4, 1, "float32")).toThrow(WebGpuDeviceError);
      expect(() => other.fill(4, 1, "float32")).toThrow(/MapRead/);
    } finally {
      other.dispose();
    }
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

// The conformance suites use small shapes. These cases reach the tiled, workgroup and 2D-grid paths
// of the webgpu kernels and compare them with the cpu backend on the same inputs.
describe("webgpu matches cpu on larger shapes", () => {
  for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    test(`matmul 130x257x70 batch 3, transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
      const [m, k, n] = [130, 257, 70];
      const aShape = transposeA ? [3, k, m] : [3, m, k];
      const bShape = transposeB ? [3, n, k] : [3, k, n];
      const a = tensor(fixture(sizeOfShape(aShape), 11), aShape);
      const b = tensor(fixture(sizeOfShape(bShape), 12), bShape);

      const received = await matmul(a, b, { transposeA, transposeB }).data();
      const product = ([x, y]: TensorInfo[]) => cpu.matmul(x!, y!, transposeA, transposeB, [3, m, n]);
      const expected = await onCpu([a, b], product, received.length);

      expect(received).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-4 });
    });
  }

  // Each output shape selects another register block of the matmul kernel: 16×8 from 128×128 up, 1 column for N ≤ 16.
  for (const [m, k, n] of [[520, 40, 530], [70, 33, 10]] as const) {
    for (const [transposeA, transposeB] of [[false, false], [true, true]] as const) {
      test(`matmul ${m}x${k}x${n}, transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
        const aShape = transposeA ? [k, m] : [m, k];
        const bShape = transposeB ? [n, k] : [k, n];
        const a = tensor(fixture(sizeOfShape(aShape), 14), aShape);
        const b = tensor(fixture(sizeOfShape(bShape), 15), bShape);

        const received = await matmul(a, b, { transposeA, transposeB }).data();
        const product = ([x, y]: TensorInfo[]) => cpu.matmul(x!, y!, transposeA, transposeB, [m, n]);
        const expected = await onCpu([a, b], product, received.length);

        expect(received).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-4 });
      });
    }
  }

  test("int32 matmul 520x40x530 is exact", async () => {
    const [m, k, n] = [520, 40, 530];
    const a = tensor(Int32Array.from({ length: m * k }, (_, i) => (i % 7) - 3), [m, k]);
    const b = tensor(Int32Array.from({ length: k * n }, (_, i) => (i % 5) - 2), [k, n]);

    const received = await matmul(a, b).data();
    const expected = await onCpu([a, b], ([x, y]: TensorInfo[]) => cpu.matmul(x!, y!, false, false, [m, n]), received.length);

    const mismatches = expected.filter((value, i) => received[i] !== value).length;
    expect(received).toHaveLength(expected.length);
    expect(mismatches).toBe(0);
  });

  test("sum over a strided axis of 1000", async () => {
    const x = tensor(fixture(7 * 1000 * 3, 13), [7, 1000, 3]);

    const received = await sum(x, { axis: 1 }).data();
    const expected = await onCpu([x], ([info]) => cpu.reduce("sum", info!, [1]), received.length);

    expect(received).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-4 });
  });

  test("max over two axes propagates NaN", async () => {
    const values = fixture(40 * 5 * 30, 14);
    values[5 * 30 * 3 + 2] = Number.NaN;
    const x = tensor(values, [40, 5, 30]);

    const received = await max(x, { axis: [0, 2] }).data();
    const expected = await onCpu([x], ([info]) => cpu.reduce("max", info!, [0, 2]), received.length);

    expect(Number.isNaN(received[0])).toBe(true);
    expect(Array.from(received).slice(1)).toEqual(expected.slice(1));
  });

  test("softmax of rows of 2000", async () => {
    const x = tensor(fixture(4 * 2000, 15, -20, 20), [4, 2000]);

    const received = await softmax(x, -1).data();
    const expected = await onCpu([x], ([info]) => cpu.softmax(info!, 1, false), received.length);

    expect(received).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-7 });
  });

  test("argmax of rows of 1000", async () => {
    const x = tensor(fixture(50 * 1000, 16), [50, 1000]);

    const received = await argmax(x, 1).data();
    const expected = await onCpu([x], ([info]) => cpu.argReduce("argmax", info!, 1), received.length, "int32");

    expect(Array.from(received)).toEqual(expected);
  });
});
