/** Accuracy of a chain of modules on a batch source, counted on the device and read once. */
import { add, argmax, cast, equal, keep, sum, tidy, zeros } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import type { BatchSource } from "./method.js";
import { forwardThrough, type Module } from "./module.js";

export interface EvaluationResult {
  /** Fraction of samples whose argmax prediction equals the label, in [0, 1]. */
  readonly accuracy: number;
  readonly samples: number;
}

/**
 * Put the modules in eval mode, run every batch of `source` through them in
 * stored order, and count correct predictions. Restores each module's mode.
 */
export async function evaluate(
  modules: readonly Module[],
  source: BatchSource,
  batchSize = 1000,
): Promise<EvaluationResult> {
  const modes = modules.map((module) => module.training);
  modules.forEach((module) => module.eval());
  let correct: Tensor = keep(zeros([], "int32"));
  try {
    for (const batch of source.batches({ batchSize, shuffle: false })) {
      const next = tidy(() => {
        const predictions = argmax(forwardThrough(modules, batch.x), 1);
        return add(correct, sum(cast(equal(predictions, batch.y), "int32")));
      });
      batch.x.dispose();
      batch.y.dispose();
      correct.dispose();
      correct = keep(next);
    }
    const count = (await correct.data())[0]!;
    return { accuracy: source.size === 0 ? 0 : count / source.size, samples: source.size };
  } finally {
    correct.dispose();
    modules.forEach((module, i) => module.train(modes[i]));
  }
}
