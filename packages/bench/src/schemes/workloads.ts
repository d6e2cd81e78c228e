/**
 * The workloads of the schemes suite: which model each scheme trains on
 * which data, for how long. The full settings are those of
 * `docs/results.md`; `--quick` shrinks every workload to a smoke test.
 */
import { BenchConfigError } from "../errors.js";

export type SchemeDatasetName = "mnist" | "fashion-mnist";
export type SchemeModelName = "mlp" | "cnn" | "vgg";

export interface SchemeWorkload {
  /** Short name used in tables, file names and `--workloads`, e.g. "fashion-cnn". */
  readonly id: string;
  readonly dataset: SchemeDatasetName;
  readonly model: SchemeModelName;
  /** Epochs of each training phase. */
  readonly epochs: number;
  /** Train on the first n training samples; undefined for all. */
  readonly limitTrain?: number;
  /** Evaluate on the first n test samples; undefined for all. */
  readonly limitTest?: number;
  /** Factor on the widths of `vgg`. Default 1. */
  readonly width?: number;
  /**
   * Block names each training module ends with, for every scheme alike
   * (see `split` of `@modular/nn`). Default: each scheme's own split.
   */
  readonly split?: readonly string[];
  /** Only these schemes run on the workload (`backprop` always does). Default: every scheme. */
  readonly schemes?: readonly string[];
  /** Schemes left off this workload, and why; the report lists them as not run. */
  readonly skip?: { readonly schemes: readonly string[]; readonly reason: string };
  /** Seeds of this workload, in place of the suite's. */
  readonly seeds?: readonly number[];
  /** A workload run for its memory only: its few steps leave accuracy meaningless, so no chance check. */
  readonly memoryOnly?: boolean;
}

/**
 * Peak memory of greedy and simultaneous local learning against backprop on
 * VGG-8B cut into Q = 4 training modules, after the setting of Belilovsky et
 * al. ("Decoupled greedy learning of CNNs", ICML 2020). A few steps suffice,
 * because the peak of each step is the same; accuracy is not the point.
 * `proxy/dgl-async` reports the peak of each of its 4 worker threads.
 */
const VGG_MEMORY = {
  dataset: "fashion-mnist",
  model: "vgg",
  epochs: 1,
  split: ["conv2", "conv4", "fc1"],
  schemes: ["proxy/kernel", "proxy/dgl", "proxy/dgl-async"],
  seeds: [1],
  memoryOnly: true,
} as const;

/**
 * Full settings, sized so the whole suite (every scheme, 3 seeds) finishes
 * in about 3 hours on a 2-core machine running two parts at once. The
 * Fashion-MNIST workloads train on slices: all 60,000 images for every
 * scheme and seed would take about 9 CPU-hours for the `mlp` and the `cnn`
 * together. Single-seed runs on the full split are in `docs/results.md`.
 * The `cnn` is tested on the first 2,000 test images, because the test
 * after every epoch on all 10,000 took about a third of each run.
 *
 * VGG-8B runs at a quarter of its widths, for one step per phase. A
 * `backprop` step at quarter width takes about a minute on one CPU core, so
 * at full width (16 times the multiply-adds) a step would take about a
 * quarter of an hour.
 */
export const FULL_WORKLOADS: readonly SchemeWorkload[] = [
  { id: "mnist-mlp", dataset: "mnist", model: "mlp", epochs: 15 },
  { id: "fashion-mlp", dataset: "fashion-mnist", model: "mlp", epochs: 3, limitTrain: 20_000 },
  { id: "fashion-cnn", dataset: "fashion-mnist", model: "cnn", epochs: 3, limitTrain: 3_000, limitTest: 2_000 },
  { id: "fashion-vgg-q4", ...VGG_MEMORY, width: 0.25, limitTrain: 128, limitTest: 100 },
];

/**
 * Schemes that `--quick` leaves off the CNN. After its 32 steps, on 2,000
 * images for 2 epochs, they were at or near chance: `fa/fa` 27.4 %,
 * `fa/dfa` 21.6 %, `targetprop/tp` 21.8 % and `targetprop/dtp` 19.2 %,
 * against 78.2 % for `backprop`. `drl`, `ddtp` and `ddtp-rhl`
 * train the same inverses or direct feedback maps as `dtp` does.
 */
const SLOW_ON_CNN = ["fa/fa", "fa/dfa", "targetprop/tp", "targetprop/dtp", "targetprop/drl", "targetprop/ddtp", "targetprop/ddtp-rhl"];

/**
 * `--quick`: a short run on a slice of each dataset, enough to show every
 * scheme learns. The `mlp` workloads train 126 steps (8,000 images for 2
 * epochs), because target propagation and feedback alignment need over a
 * hundred steps to leave chance. On MNIST, `fa/fa` reached 18.8 % after one
 * epoch and 63.0 % after two. After one epoch of 2,000 Fashion-MNIST
 * images, `targetprop/dtp` reached 0.2 % and `fa/dfa` 16.8 %.
 */
export const QUICK_WORKLOADS: readonly SchemeWorkload[] = [
  { id: "mnist-mlp", dataset: "mnist", model: "mlp", epochs: 2, limitTest: 1_000 },
  { id: "fashion-mlp", dataset: "fashion-mnist", model: "mlp", epochs: 2, limitTrain: 8_000, limitTest: 1_000 },
  {
    id: "fashion-cnn",
    dataset: "fashion-mnist",
    model: "cnn",
    epochs: 2,
    limitTrain: 2_000,
    limitTest: 500,
    skip: { schemes: SLOW_ON_CNN, reason: "needs over a hundred steps to leave chance on the `cnn`, and `--quick` trains 32; the full suite runs it" },
  },
  { id: "fashion-vgg-q4", ...VGG_MEMORY, width: 0.125, limitTrain: 128, limitTest: 100 },
];

export const FULL_SEEDS: readonly number[] = [1, 2, 3];
export const QUICK_SEEDS: readonly number[] = [1];

/**
 * Describes `workload` in one line for help texts, e.g. "cnn on fashion-mnist,
 * 3 epochs, first 3,000 training and 2,000 test images".
 */
export function summarizeWorkload(workload: SchemeWorkload): string {
  const count = (value: number) => value.toLocaleString("en-US");
  const model = workload.width === undefined ? workload.model : `${workload.model} ×${workload.width}`;
  const epochs = `${workload.epochs} epoch${workload.epochs === 1 ? "" : "s"}`;
  let images = "all images";
  if (workload.limitTrain !== undefined && workload.limitTest !== undefined) {
    images = `first ${count(workload.limitTrain)} training and ${count(workload.limitTest)} test images`;
  } else if (workload.limitTrain !== undefined) {
    images = `first ${count(workload.limitTrain)} training images, all test images`;
  } else if (workload.limitTest !== undefined) {
    images = `all training images, first ${count(workload.limitTest)} test images`;
  }
  return `${model} on ${workload.dataset}, ${epochs}, ${images}`;
}

/** Pick the workloads named in `ids` from `available`, in the order given. Throws `BenchConfigError` for an unknown id. */
export function selectWorkloads(available: readonly SchemeWorkload[], ids: readonly string[] | undefined): SchemeWorkload[] {
  if (ids === undefined) return [...available];
  return ids.map((id) => {
    const found = available.find((workload) => workload.id === id);
    if (found === undefined) {
      throw new BenchConfigError(`Unknown workload "${id}". Valid workloads: ${available.map((w) => w.id).join(", ")}.`);
    }
    return found;
  });
}
