/**
 * The workloads of the schemes suite: which model each scheme trains on
 * which data, for how long. The full settings are those of
 * `docs/results.md`; `--quick` shrinks every workload to a smoke test.
 */
import { BenchConfigError } from "../errors.js";

export type SchemeDatasetName = "mnist" | "fashion-mnist";
export type SchemeModelName = "mlp" | "cnn";

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
}

/**
 * Full settings. The CNN trains on the first 10,000 Fashion-MNIST images,
 * because a full-size CNN run of one scheme takes 25 to 50 minutes on a
 * 2-core machine, and the suite runs every scheme three times.
 */
export const FULL_WORKLOADS: readonly SchemeWorkload[] = [
  { id: "mnist-mlp", dataset: "mnist", model: "mlp", epochs: 15 },
  { id: "fashion-mlp", dataset: "fashion-mnist", model: "mlp", epochs: 5 },
  { id: "fashion-cnn", dataset: "fashion-mnist", model: "cnn", epochs: 3, limitTrain: 10_000 },
];

/** `--quick`: one epoch on a small slice of each dataset, enough to show every scheme learns. */
export const QUICK_WORKLOADS: readonly SchemeWorkload[] = [
  { id: "mnist-mlp", dataset: "mnist", model: "mlp", epochs: 2, limitTrain: 2_000, limitTest: 1_000 },
  { id: "fashion-mlp", dataset: "fashion-mnist", model: "mlp", epochs: 1, limitTrain: 2_000, limitTest: 1_000 },
  { id: "fashion-cnn", dataset: "fashion-mnist", model: "cnn", epochs: 1, limitTrain: 1_000, limitTest: 500 },
];

export const FULL_SEEDS: readonly number[] = [1, 2, 3];
export const QUICK_SEEDS: readonly number[] = [1];

/** The workloads named in `ids`, in the order given, from `available`. Throws `BenchConfigError` for an unknown id. */
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
