/**
 * Per-channel normalisation: x' = (x − mean_c) / std_c, with the mean and
 * standard deviation of each channel computed on the training split and
 * applied to both splits, so no statistic of the test split leaks into
 * training. The channel is the first axis of a sample: C of [C, H, W], or
 * each feature of a flat [F] sample.
 */
import { InvalidArgumentError } from "@modular/tensor";
import { Dataset, type DatasetSplit } from "./dataset.js";

/** Mean and population standard deviation of each channel. */
export interface ChannelStatistics {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** Computes the mean and population standard deviation of each channel of `dataset`, in float64. */
export function channelStatistics(dataset: Dataset): ChannelStatistics {
  const channels = dataset.sampleShape[0]!;
  const perChannel = dataset.features / channels;
  const mean = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const images = dataset.images;
  for (let sample = 0; sample < dataset.size; sample++) {
    for (let c = 0; c < channels; c++) {
      const start = sample * dataset.features + c * perChannel;
      for (let i = start; i < start + perChannel; i++) mean[c]! += images[i]!;
    }
  }
  const count = dataset.size * perChannel;
  for (let c = 0; c < channels; c++) mean[c]! /= count;

  // A second pass around the mean, which is exact where E[x²] − mean² would cancel.
  for (let sample = 0; sample < dataset.size; sample++) {
    for (let c = 0; c < channels; c++) {
      const start = sample * dataset.features + c * perChannel;
      for (let i = start; i < start + perChannel; i++) squares[c]! += (images[i]! - mean[c]!) ** 2;
    }
  }
  const std = squares.map((sum) => Math.sqrt(sum / count));
  return { mean, std };
}

/**
 * Returns a copy of `dataset` with every channel c mapped to
 * (x − mean[c]) / std[c]. Throws `InvalidArgumentError` if the statistics
 * have another channel count, or a standard deviation is zero or not finite
 * (a constant channel, which normalisation cannot scale).
 */
export function normalize(dataset: Dataset, statistics: ChannelStatistics): Dataset {
  const channels = dataset.sampleShape[0]!;
  checkStatistics(dataset.name, statistics, channels);
  const perChannel = dataset.features / channels;
  const images = new Float32Array(dataset.images.length);
  for (let sample = 0; sample < dataset.size; sample++) {
    for (let c = 0; c < channels; c++) {
      const start = sample * dataset.features + c * perChannel;
      const mean = statistics.mean[c]!;
      const std = statistics.std[c]!;
      for (let i = start; i < start + perChannel; i++) images[i] = (dataset.images[i]! - mean) / std;
    }
  }
  return new Dataset({
    name: dataset.name,
    images,
    labels: dataset.labels,
    sampleShape: dataset.sampleShape,
    classes: dataset.classes,
  });
}

/** Normalises both splits with the statistics of the training split, and returns those statistics too. */
export function normalizeSplit(split: DatasetSplit): DatasetSplit & { readonly statistics: ChannelStatistics } {
  const statistics = channelStatistics(split.train);
  return { train: normalize(split.train, statistics), test: normalize(split.test, statistics), statistics };
}

function checkStatistics(name: string, statistics: ChannelStatistics, channels: number): void {
  if (statistics.mean.length !== channels || statistics.std.length !== channels) {
    throw new InvalidArgumentError(
      `normalize: dataset "${name}" has ${channels} channels, but the statistics have ${statistics.mean.length} means ` +
        `and ${statistics.std.length} standard deviations. Compute them on a split of the same data.`,
    );
  }
  statistics.std.forEach((std, c) => {
    if (!(std > 0) || !Number.isFinite(std)) {
      throw new InvalidArgumentError(
        `normalize: channel ${c} of the statistics has standard deviation ${std}, so it cannot be scaled. ` +
          "Drop the constant channel or feature before normalising.",
      );
    }
  });
}
