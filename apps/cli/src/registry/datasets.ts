/**
 * Datasets that `modular train --dataset` accepts. An entry loads the
 * training and test splits. A new data source needs one entry here.
 */
import {
  type DatasetSplit,
  DEFAULT_FASHION_MNIST_DIR,
  loadCifar10,
  loadCifar100,
  loadCsv,
  loadFashionMnist,
  loadMnist,
} from "@modular/datasets";
import { UsageError } from "../errors.js";
import type { RegistryEntry } from "./entry.js";

/** The data location of a run: the `--data-dir` and `--csv-*` flags. */
export interface DataLocation {
  /** The `--data-dir` folder, or undefined for the dataset's default. */
  readonly dataDir?: string;
  readonly csvTrain?: string;
  readonly csvTest?: string;
  /** The label column of the CSV files: a header name, or an index from 0. */
  readonly csvLabel: string | number;
}

export interface DatasetEntry extends RegistryEntry {
  /** The location flags that apply: a folder (`--data-dir`), CSV files (`--csv-*`) or none. */
  readonly reads: "folder" | "csv" | "embedded";
  /** Whether samples are images of shape [C, H, W], so that `--augment` applies. */
  readonly images: boolean;
  /** The folder read when `--data-dir` is left out, for datasets that have one. */
  readonly defaultDataDir?: string;
  /** Loads both splits. */
  load(location: DataLocation): Promise<DatasetSplit>;
}

/** Return `dataDir`, or throw a `UsageError` because `dataset` has no default folder. */
function requireDir(dataset: string, dataDir: string | undefined, contents: string): string {
  if (dataDir === undefined) {
    throw new UsageError(`--dataset ${dataset} needs --data-dir: the folder with ${contents}.`);
  }
  return dataDir;
}

export const DATASETS: readonly DatasetEntry[] = [
  {
    name: "mnist",
    description: "10,000 MNIST digits shipped with @modular/datasets: 8,004 train, 1,996 test",
    reads: "embedded",
    images: true,
    load: () => loadMnist(),
  },
  {
    name: "fashion-mnist",
    description: `Fashion-MNIST, read from the IDX files in --data-dir (default ${DEFAULT_FASHION_MNIST_DIR}): 60,000 train, 10,000 test`,
    reads: "folder",
    images: true,
    defaultDataDir: DEFAULT_FASHION_MNIST_DIR,
    load: ({ dataDir }) => loadFashionMnist(dataDir === undefined ? {} : { dir: dataDir }),
  },
  {
    name: "cifar-10",
    description: "CIFAR-10 binary version, read from --data-dir (the cifar-10-batches-bin folder): 50,000 train, 10,000 test",
    reads: "folder",
    images: true,
    load: ({ dataDir }) => loadCifar10({ dir: requireDir("cifar-10", dataDir, "data_batch_1.bin to data_batch_5.bin and test_batch.bin") }),
  },
  {
    name: "cifar-100",
    description: "CIFAR-100 binary version with the 100 fine labels, read from --data-dir (the cifar-100-binary folder)",
    reads: "folder",
    images: true,
    load: ({ dataDir }) => loadCifar100({ dir: requireDir("cifar-100", dataDir, "train.bin and test.bin") }),
  },
  {
    name: "csv",
    description: "numeric features and a label column, read from --csv-train and --csv-test",
    reads: "csv",
    images: false,
    load: async ({ csvTrain, csvTest, csvLabel }) => {
      if (csvTrain === undefined || csvTest === undefined) {
        throw new UsageError("--dataset csv needs both --csv-train and --csv-test: the CSV files of the two splits.");
      }
      const train = await loadCsv(csvTrain, { label: csvLabel });
      const test = await loadCsv(csvTest, { label: csvLabel, classes: train.classes });
      if (test.sampleShape[0] !== train.sampleShape[0]) {
        throw new UsageError(
          `The CSV files have different feature counts: ${train.sampleShape[0]} in ${csvTrain}, ` +
            `${test.sampleShape[0]} in ${csvTest}. Both splits need the same feature columns.`,
        );
      }
      return { train, test };
    },
  },
];
