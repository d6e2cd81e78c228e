/**
 * Reading labels from a `Batch`. A step that needs class ids calls
 * `classLabels`, which throws on a batch of pair labels only. A step that
 * needs only which samples share a class calls `pairLabels`, which accepts
 * both kinds of batch.
 */
import { cast, equal, reshape, type Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import type { Batch } from "./method.js";

/** A step or phase needs class ids, but its data has pair labels only. */
export class MissingClassLabelsError extends ConfigError {
  constructor(
    /** The method or function that needs the class ids, e.g. "backprop". */
    readonly consumer: string,
    /** The part of the consumer that needs them, e.g. `phase "end-to-end backprop"`. */
    readonly part?: string,
  ) {
    const where = part === undefined ? consumer : `${consumer} (${part})`;
    super(
      `${where} needs class labels, but the training data has pair labels only. ` +
        "Train on class labels (in the CLI, --labels full), or choose a method whose hidden phases read pair labels only, " +
        "such as proxy/kernel or proxy/sim.",
    );
  }
}

/** Return the class labels [B] int32 of `batch`. Throws `MissingClassLabelsError` naming `consumer` for a `PairBatch`. */
export function classLabels(batch: Batch, consumer: string): Tensor {
  if (batch.y === undefined) throw new MissingClassLabelsError(consumer);
  return batch.y;
}

/** Return [N, N] float32 with 1 where labels[i] = labels[j] and 0 elsewhere: the pair labels of `labels` [N]. */
export function sameClassMatrix(labels: Tensor): Tensor {
  const n = labels.shape[0]!;
  return cast(equal(reshape(labels, [n, 1]), reshape(labels, [1, n])), "float32");
}

/** Return the pair labels [B, B] of `batch`: its `pairs`, or the same-class matrix of its class labels. */
export function pairLabels(batch: Batch): Tensor {
  return batch.pairs ?? sameClassMatrix(batch.y);
}

/** Dispose the tensors of `batch`. */
export function disposeBatch(batch: Batch): void {
  batch.x.dispose();
  if (batch.pairs === undefined) batch.y.dispose();
  else batch.pairs.dispose();
}
