#!/usr/bin/env node
/**
 * Time the cpu backend's matmul on the products listed in
 * docs/benchmarks.md and print one table row per product: median and fastest
 * CPU time of the repeats, and GFLOP/s (2·M·N·K per product) at the median.
 *
 * Usage, after `pnpm build`:
 *   node scripts/bench-cpu-matmul.mjs [--tensor PATH]
 * `--tensor` loads another build of @modular/tensor (a copy of its dist/index.js),
 * so a change can be compared with the build before it on the same machine.
 *
 * This is a measurement script, not a test: it asserts nothing.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { loadMnist } from "../packages/datasets/dist/node.js";

const { values: options } = parseArgs({ options: { tensor: { type: "string" } } });
const tensorEntry = options.tensor === undefined
  ? new URL("../packages/tensor/dist/index.js", import.meta.url).href
  : pathToFileURL(resolve(options.tensor)).href;
const { matmul, setBackend, tensor } = await import(tensorEntry);
await setBackend("cpu");

/** Values in [-1, 1) from a linear congruential generator, so every run multiplies the same numbers. */
function fixture(size, seed) {
  let state = (seed * 2654435761) >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = -1 + (2 * state) / 4294967296;
  }
  return out;
}

/** `fixture(size, seed)` with the share `fraction` of its elements set to zero, at random positions. */
function withZeros(size, seed, fraction) {
  const values = fixture(size, seed);
  const positions = fixture(size, seed + 1000);
  for (let i = 0; i < size; i++) if ((positions[i] + 1) / 2 < fraction) values[i] = 0;
  return values;
}

const { train } = await loadMnist();
const pixels = train.images.subarray(0, 128 * 784);

// Each case: label, A values and shape, B values and shape, flags, and M, N, K of the product.
const CASES = [
  ["128x784 by 784x256, dense", fixture(128 * 784, 1), [128, 784], fixture(784 * 256, 2), [784, 256], {}, [128, 256, 784]],
  ["128x784 by 784x256, A = MNIST pixels", pixels, [128, 784], fixture(784 * 256, 2), [784, 256], {}, [128, 256, 784]],
  ...[0.5, 0.6, 0.7, 0.8].map((fraction) => [
    `128x784 by 784x256, A ${fraction * 100} % zeros at random positions`,
    withZeros(128 * 784, 1, fraction), [128, 784], fixture(784 * 256, 2), [784, 256], {}, [128, 256, 784],
  ]),
  ["xᵀ·dy: 784x128 by 128x256, A = MNIST pixels (transposeA)", pixels, [128, 784], fixture(128 * 256, 3), [128, 256], { transposeA: true }, [784, 256, 128]],
  ["dy·Wᵀ: 128x256 by 256x784, dense (transposeB)", fixture(128 * 256, 4), [128, 256], fixture(784 * 256, 5), [784, 256], { transposeB: true }, [128, 784, 256]],
  ["256^3, dense", fixture(256 * 256, 6), [256, 256], fixture(256 * 256, 7), [256, 256], {}, [256, 256, 256]],
  ["512^3, dense", fixture(512 * 512, 8), [512, 512], fixture(512 * 512, 9), [512, 512], {}, [512, 512, 512]],
  ["1024^3, dense", fixture(1024 * 1024, 10), [1024, 1024], fixture(1024 * 1024, 11), [1024, 1024], {}, [1024, 1024, 1024]],
];

/** Milliseconds of CPU time (user + system) that this process has used. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Run the product once to warm up, then at least 5 times and until 2 s of CPU
 * time have passed (at most 50 times). Times are CPU time of this process, not
 * wall time, so that other processes on a busy machine inflate them less.
 */
function measure(a, b, flags) {
  matmul(a, b, flags).dispose();
  const times = [];
  let total = 0;
  while (times.length < 5 || (total < 2000 && times.length < 50)) {
    const start = cpuMs();
    matmul(a, b, flags).dispose();
    const elapsed = cpuMs() - start;
    times.push(elapsed);
    total += elapsed;
  }
  times.sort((x, y) => x - y);
  return { median: times[Math.floor(times.length / 2)], fastest: times[0], runs: times.length };
}

console.log(`build: ${tensorEntry}`);
console.log(`node ${process.version}, load average at start ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
console.log("| product | median CPU ms | fastest CPU ms | GFLOP/s at median | runs |");
console.log("|---|---|---|---|---|");
for (const [label, aValues, aShape, bValues, bShape, flags, [m, n, k]] of CASES) {
  const a = tensor(aValues, aShape);
  const b = tensor(bValues, bShape);
  const { median, fastest, runs } = measure(a, b, flags);
  const gflops = (2 * m * n * k) / (median * 1e6);
  console.log(`| ${label} | ${median.toFixed(1)} | ${fastest.toFixed(1)} | ${gflops.toFixed(2)} | ${runs} |`);
  a.dispose();
  b.dispose();
}
