/**
 * Datasets that `modular train --dataset` accepts. An entry loads the
 * training and test splits. A new data source needs one entry here.
 */
import { type DatasetSplit, DEFAULT_FASHION_MNIST_DIR, loadFashionMnist, loadMnist } from "@modular/datasets";
import type { RegistryEntry } from "./entry.js";

export interface DatasetEntry extends RegistryEntry {
  /** Whether the files are read from disk, so that `--data-dir` applies. */
  readonly readsDataDir: boolean;
  /** Loads both splits. `dataDir` is the `--data-dir` folder, or undefined for the default. */
  load(dataDir: string | undefined): Promise<DatasetSplit>;
}

export const DATASETS: readonly DatasetEntry[] = [
  {
    name: "mnist",
    description: "10,000 MNIST digits shipped with @modular/datasets: 8,004 train, 1,996 test",
    readsDataDir: false,
    load: () => loadMnist(),
  },
  {
    name: "fashion-mnist",
    description: `Fashion-MNIST, read from the IDX files in --data-dir (default ${DEFAULT_FASHION_MNIST_DIR}): 60,000 train, 10,000 test`,
    readsDataDir: true,
    load: (dataDir) => loadFashionMnist(dataDir === undefined ? {} : { dir: dataDir }),
  },
];
