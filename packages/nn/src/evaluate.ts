/**
 * Evaluation metrics of a chain of modules on a batch source: accuracy, and
 * on request top-5 accuracy and the confusion matrix. Every count is summed
 * on the device and read back once, after the last batch.
 */
import { add, argmax, cast, concat, equal, greater, keep, less, matmul, mul, oneHot, reshape, sum, tidy, transpose, zeros } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { classLabels, disposeBatch } from "./labels.js";
import type { BatchSource } from "./method.js";
import { forwardThrough, type Module } from "./module.js";

export interface EvaluationResult {
  /** Fraction of samples whose argmax prediction equals the label, in [0, 1]. */
  readonly accuracy: number;
  readonly samples: number;
  /** Fraction of samples whose label is among the 5 highest outputs, in [0, 1]; present when requested. */
  readonly top5Accuracy?: number;
  /**
   * Counts of (label, prediction) pairs, classes × classes, row-major: entry
   * [label · classes + prediction]. Present when requested.
   */
  readonly confusionMatrix?: Int32Array;
}

export interface EvaluateOptions {
  /** Samples per forward pass. Default 1000. */
  readonly batchSize?: number;
  /** Also compute `top5Accuracy`. Default false. */
  readonly top5?: boolean;
  /** Also compute `confusionMatrix`. Default false. */
  readonly confusionMatrix?: boolean;
}

/** Values a batch adds to the running counts: correct, correct in the top 5, then the confusion matrix. */
function batchCounts(logits: Tensor, labels: Tensor, classes: number, options: EvaluateOptions): Tensor {
  const predictions = argmax(logits, 1);
  const parts: Tensor[] = [reshape(sum(cast(equal(predictions, labels), "float32")), [1])];

  if (options.top5 === true) {
    // The label is in the top 5 when fewer than 5 outputs are strictly larger
    // than the label's output, so a tie counts in the label's favour.
    const labelLogit = sum(mul(logits, oneHot(labels, classes)), { axis: 1, keepDims: true });
    const larger = sum(cast(greater(logits, labelLogit), "float32"), { axis: 1 });
    parts.push(reshape(sum(cast(less(larger, 5), "float32")), [1]));
  }

  if (options.confusionMatrix === true) {
    const pairs = matmul(transpose(oneHot(labels, classes)), oneHot(predictions, classes));
    parts.push(reshape(pairs, [classes * classes]));
  }
  return concat(parts);
}

/**
 * Put the modules in eval mode, run every batch of `source` through them in
 * stored order, and count correct predictions. Restores each module's mode.
 * The outputs must be [N, classes] with `classes` = `source.classes`.
 *
 * `options` is a batch size (default 1000) or an `EvaluateOptions`.
 *
 * NOTE: the counts are summed in float32, which is exact up to 2^24
 * (16,777,216) samples.
 */
export async function evaluate(
  modules: readonly Module[],
  source: BatchSource,
  options: number | EvaluateOptions = 1000,
): Promise<EvaluationResult> {
  const settings: EvaluateOptions = typeof options === "number" ? { batchSize: options } : options;
  const batchSize = settings.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new ConfigError(`evaluate: batchSize ${batchSize} is invalid; it must be a positive integer.`);
  }
  if (source.labelKind === "pairs") {
    throw new ConfigError("evaluate: the source has pair labels only, but accuracy needs class labels. Evaluate on a source with class labels.");
  }
  const classes = source.classes;
  const width = 1 + (settings.top5 === true ? 1 : 0) + (settings.confusionMatrix === true ? classes * classes : 0);

  const modes = modules.map((module) => module.training);
  modules.forEach((module) => module.eval());
  let counts: Tensor = keep(zeros([width]));
  try {
    for (const batch of source.batches({ batchSize, shuffle: false })) {
      const next = tidy(() => add(counts, batchCounts(forwardThrough(modules, batch.x), classLabels(batch, "evaluate"), classes, settings)));
      disposeBatch(batch);
      counts.dispose();
      counts = keep(next);
    }
    const values = await counts.data();
    return summarize(values, source.size, classes, settings);
  } finally {
    counts.dispose();
    modules.forEach((module, i) => module.train(modes[i]));
  }
}

function summarize(values: ArrayLike<number>, samples: number, classes: number, options: EvaluateOptions): EvaluationResult {
  const fraction = (count: number) => (samples === 0 ? 0 : count / samples);
  let result: EvaluationResult = { accuracy: fraction(values[0]!), samples };
  let next = 1;
  if (options.top5 === true) {
    result = { ...result, top5Accuracy: fraction(values[next]!) };
    next += 1;
  }
  if (options.confusionMatrix === true) {
    const matrix = Int32Array.from({ length: classes * classes }, (_, i) => values[next + i]!);
    result = { ...result, confusionMatrix: matrix };
  }
  return result;
}
