/**
 * End-to-end backpropagation (E2EBP), the baseline every scheme is measured
 * against: one phase, one tape over every module's parameters, cross-entropy
 * on the output.
 */
import { clipGradNorm } from "./clip.js";
import { classLabels } from "./labels.js";
import { crossEntropy } from "./losses.js";
import type { Phase, TrainingContext, TrainingMethod } from "./method.js";
import { forwardThrough, type Module } from "./module.js";
import { parametersOf, tapeFor } from "./tape.js";

export function backprop(): TrainingMethod {
  return {
    name: "backprop",
    plan(modules: readonly Module[], context: TrainingContext): Phase[] {
      const parameters = parametersOf(modules);
      const optimizer = context.createOptimizer();
      return [
        {
          label: "end-to-end backprop",
          epochs: context.epochs,
          trainable: modules,
          optimizers: [optimizer],
          step(batch) {
            const tape = tapeFor(parameters);
            const loss = tape.record(() => crossEntropy(forwardThrough(modules, batch.x), classLabels(batch, "backprop")));
            const grads = tape.gradient(loss, parameters.map((p) => p.value));
            const maxNorm = context.maxGradNorm;
            optimizer.step(parameters, maxNorm === undefined ? grads : clipGradNorm(grads, maxNorm).grads);
            return { losses: { model: loss } };
          },
          end() {
            optimizer.dispose();
          },
        },
      ];
    },
  };
}
