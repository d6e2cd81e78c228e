/**
 * The parts shared by the browser entry (`index.ts`) and the Node.js entry
 * (`node.ts`). Nothing here imports a `node:` module.
 */
export {
  type ByteSource,
  type CifarSourcesOptions,
  describeByteSource,
  type IdxSourcesOptions,
  loadCifarSources,
  loadIdxSources,
  readByteSource,
  type SourceBytes,
} from "./byte-sources.js";
export { type AugmentationOptions, AugmentedDataset, augmented, augmentImages } from "./augment.js";
export {
  CIFAR_SAMPLE_SHAPE,
  cifarClasses,
  type CifarFormat,
  type CifarRecords,
  datasetFromCifar,
  parseCifar,
} from "./cifar.js";
export { type CsvOptions, parseCsv } from "./csv.js";
export {
  type Batch,
  type BatchOptions,
  Dataset,
  type DatasetInit,
  type DatasetSplit,
  type HostBatch,
} from "./dataset.js";
export { DatasetFormatError, DatasetNotFoundError, type FormatProblem } from "./errors.js";
export { type IdxArray, isGzip, parseIdx } from "./idx.js";
export { datasetFromIdx, type IdxDatasetOptions } from "./idx-dataset.js";
export { MNIST_SAMPLE_SHAPE } from "./mnist-embedded.js";
export { type ChannelStatistics, channelStatistics, normalize, normalizeSplit } from "./normalize.js";
export {
  type HostBatchSource,
  type PairBatch,
  PairLabelledSource,
  pairLabelled,
  pairMatrix,
  sampleShots,
  type ShotSubset,
} from "./pairwise.js";
export { prefetch, prefetchBatches } from "./prefetch.js";
export { type ShuffleKey, shuffledIndices } from "./shuffle.js";
