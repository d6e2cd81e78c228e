/** Loss functions. Each returns a scalar tensor: the mean over the batch. */
import { formatShape, logSoftmax, mean, mul, neg, oneHot, square, sub, sum } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";

/**
 * Cross-entropy from logits: mean over the batch of −log softmax(logits)[label].
 * `logits` [N, C] float32, `labels` [N] int32 in [0, C). A label outside that
 * range raises an error that names it (never a silent zero row).
 */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new ConfigError(
      `crossEntropy: expected logits [N, C] and labels [N], but got logits ${formatShape(logits.shape)} ` +
        `and labels ${formatShape(labels.shape)}.`,
    );
  }
  const classes = logits.shape[1]!;
  const picked = sum(mul(logSoftmax(logits, 1), oneHot(labels, classes)), { axis: 1 });
  return neg(mean(picked));
}

/** Mean squared error over every element. `prediction` and `target` have one shape. */
export function mse(prediction: Tensor, target: Tensor): Tensor {
  if (prediction.shape.join() !== target.shape.join()) {
    throw new ConfigError(
      `mse: prediction ${formatShape(prediction.shape)} and target ${formatShape(target.shape)} must have one shape.`,
    );
  }
  return mean(square(sub(prediction, target)));
}
