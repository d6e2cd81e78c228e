/**
 * PyTorch targets of the peers suite, run as a child process: the script
 * `python/torch_mlp.py` of this package, under Debian's `python3-torch`
 * 1.13. The job goes over as raw little-endian files in a temporary folder,
 * and the script prints one JSON object with each variant's timing, test
 * accuracy and training time. `torch-linear` uses `nn.Linear`, which
 * Debian's build runs on a reference BLAS. `torch-conv1d` writes the same
 * layers as 1-wide `conv1d`, which runs through oneDNN.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { endianness, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Timing } from "../timing.js";
import type { PeersJob } from "./job.js";

/** How to install the PyTorch targets' requirement on Debian 12. */
export const TORCH_INSTALL_COMMAND = "sudo apt-get install python3-torch";

export type TorchVariant = "linear" | "conv1d";

/** Each variant's timing, test accuracy and training time, as the script prints them. */
export interface TorchVariantResult {
  readonly variant: TorchVariant;
  readonly timing: Timing;
  readonly accuracy: number;
  readonly trainSeconds: number;
}

export interface TorchRun {
  readonly environment: { readonly torch: string; readonly threads: number; readonly mkldnn: boolean; readonly python: string };
  readonly results: readonly TorchVariantResult[];
}

/** The reason PyTorch cannot run here, and the command that fixes it. */
export interface TorchUnavailable {
  readonly reason: string;
  readonly fix: string;
}

/** Timing protocol the script applies, the same as the in-process targets'. */
export interface TorchTiming {
  readonly warmup: number;
  readonly repeats: number;
  readonly minRepeatMs: number;
}

/**
 * Path of `python/torch_mlp.py`. This module runs bundled in `dist/`, or
 * from `src/peers/` under a test runner, so both parents are tried.
 */
export function torchScriptPath(): string {
  const candidates = ["../python/torch_mlp.py", "../../python/torch_mlp.py"].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`The PyTorch script of @modular/bench is missing; looked for ${candidates.join(" and ")}.`);
  return found;
}

interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnError?: NodeJS.ErrnoException;
}

function runProcess(command: string, args: readonly string[]): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error: NodeJS.ErrnoException) => resolve({ code: null, stdout, stderr, spawnError: error }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}

/** Check that `python` starts and imports torch and numpy; return why not, or undefined when it does. */
export async function checkTorch(python: string): Promise<TorchUnavailable | undefined> {
  const probe = await runProcess(python, ["-c", "import numpy, torch"]);
  if (probe.spawnError !== undefined) {
    const reason =
      probe.spawnError.code === "ENOENT"
        ? `the Python interpreter ${python} was not found (another one can be given with --python)`
        : `the Python interpreter ${python} failed to start (${probe.spawnError.message})`;
    return { reason, fix: TORCH_INSTALL_COMMAND };
  }
  if (probe.code !== 0) {
    return { reason: `${python} cannot import torch and numpy: ${lastLine(probe.stderr)}`, fix: TORCH_INSTALL_COMMAND };
  }
  return undefined;
}

/** The bytes of `values` in little-endian order, the order the script reads. Typed arrays use the platform's order. */
function littleEndianBytes(values: Float32Array | Int32Array): Uint8Array {
  if (endianness() === "LE") return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const view = new DataView(new ArrayBuffer(values.byteLength));
  values.forEach((value, i) => (values instanceof Float32Array ? view.setFloat32(4 * i, value, true) : view.setInt32(4 * i, value, true)));
  return new Uint8Array(view.buffer);
}

async function writeJobFiles(folder: string, job: PeersJob): Promise<Record<string, unknown>> {
  const write = async (name: string, values: Float32Array | Int32Array): Promise<string> => {
    const path = join(folder, name);
    await writeFile(path, littleEndianBytes(values));
    return path;
  };
  const order = new Int32Array(job.epochs * job.train.size);
  job.orders.forEach((epochOrder, epoch) => order.set(epochOrder, epoch * job.train.size));
  return {
    trainX: await write("train-x.f32", job.train.images.subarray(0, job.train.size * job.train.features)),
    trainY: await write("train-y.i32", job.train.labels.subarray(0, job.train.size)),
    testX: await write("test-x.f32", job.test.images.subarray(0, job.test.size * job.test.features)),
    testY: await write("test-y.i32", job.test.labels.subarray(0, job.test.size)),
    order: await write("order.i32", order),
    weights: await Promise.all(job.weights.map((weight, layer) => write(`weight-${layer}.f32`, weight))),
    biases: await Promise.all(job.biases.map((bias, layer) => write(`bias-${layer}.f32`, bias))),
  };
}

/** Run the script on `job` for `variants`. Throws with the script's stderr when it fails. */
export async function runTorch(python: string, job: PeersJob, variants: readonly TorchVariant[], timing: TorchTiming): Promise<TorchRun> {
  const folder = await mkdtemp(join(tmpdir(), "modular-bench-peers-"));
  try {
    const files = await writeJobFiles(folder, job);
    const jobFile = join(folder, "job.json");
    const description = {
      widths: job.widths,
      trainSize: job.train.size,
      testSize: job.test.size,
      epochs: job.epochs,
      batchSize: job.batchSize,
      seed: job.seed,
      adam: job.adam,
      timing,
      variants,
      files,
    };
    await writeFile(jobFile, JSON.stringify(description));

    const script = torchScriptPath();
    const result = await runProcess(python, [script, jobFile]);
    if (result.code !== 0) {
      throw new Error(`The PyTorch peer (${python} ${script}) failed with exit status ${result.code}: ${result.stderr.trim() || "no output on stderr"}`);
    }
    return JSON.parse(result.stdout) as TorchRun;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
