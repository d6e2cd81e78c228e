/**
 * The one phase both auxiliary-variable schemes train in. Each step takes a
 * batch and sets its auxiliary variables (the pre-activations z_l and
 * activations a_l of every sample) to the forward pass of the current
 * weights. The scheme then updates weights and auxiliary variables block by
 * block in closed form, and the step assigns the new weights. The
 * auxiliary variables live for one step, so the memory they take grows with
 * the batch size, not with the training set.
 */
import {
  AlignmentMeter,
  type Batch,
  classLabels,
  ConfigError,
  type Module,
  type Parameter,
  parameterGroups,
  type Phase,
  recordModuleAlignment,
  type TrainingContext,
  type TrainingMethod,
} from "@modular/nn";
import { matmul, oneHot, relu, reshape, sub, type Tensor } from "@modular/tensor";
import { augmentedInput, augmentedWeights, biasPart, type DenseChain, denseChain, weightPart } from "./chain.js";

/** The problem of one batch: data, targets, and the forward pass of the current weights. */
export interface BatchProblem {
  readonly chain: DenseChain;
  /** Inputs [B, d_0], flattened. */
  readonly x: Tensor;
  /** One-hot labels [B, classes]. */
  readonly targets: Tensor;
  /** Augmented weights [W_l; b_lᵀ] of every layer, in forward order. */
  readonly weights: readonly Tensor[];
  /** Pre-activations z_l [B, d_l] of every layer; the last is the network output. */
  readonly preActivations: readonly Tensor[];
  /** Activations relu(z_l) of every layer but the last. */
  readonly activations: readonly Tensor[];
}

/** The scheme-specific part of the shared phase. */
export interface Scheme {
  /** Shown in progress output. */
  readonly label: string;
  /** Steps between alignment measurements; 0 turns them off. */
  readonly alignmentEvery: number;
  /** The scalar loss reported for a step: the scheme's output loss of the network output, averaged over the batch. */
  loss(output: Tensor, targets: Tensor): Tensor;
  /** Run the scheme's updates on one batch and return the new augmented weights of every layer. */
  solve(problem: BatchProblem): Tensor[];
}

/** Build the input [a_{l−1}, 1] of layer `l` (x for the first layer). */
export function layerInput(problem: Pick<BatchProblem, "chain" | "x">, activations: readonly Tensor[], l: number): Tensor {
  return augmentedInput(l === 0 ? problem.x : activations[l - 1]!, problem.chain.layers[l]!);
}

/** Build a `TrainingMethod` named `name` whose single phase runs `createScheme(context)` on every batch. */
export function auxvarMethod(name: string, createScheme: (context: TrainingContext) => Scheme): TrainingMethod {
  return {
    name,
    plan(modules: readonly Module[], context: TrainingContext): Phase[] {
      const chain = denseChain(modules, name);
      const outputs = chain.layers[chain.layers.length - 1]!.outFeatures;
      if (outputs !== context.classes) {
        throw new ConfigError(
          `${name}: the output layer has ${outputs} units but the task has ${context.classes} classes; ` +
            "build the model with one output per class.",
        );
      }
      return [schemePhase(name, modules, chain, context, createScheme(context))];
    },
  };
}

function schemePhase(
  name: string,
  modules: readonly Module[],
  chain: DenseChain,
  context: TrainingContext,
  scheme: Scheme,
): Phase {
  const meter = new AlignmentMeter();
  const groups = modules.map((module, q) => parameterGroups(module, `module ${q + 1}/${modules.length}`, "module"));
  let stepIndex = 0;

  return {
    label: scheme.label,
    epochs: context.epochs,
    trainable: modules,
    optimizers: [],
    step(batch: Batch) {
      const problem = batchProblem(chain, batch, context.classes, name);
      const loss = scheme.loss(problem.preActivations[problem.preActivations.length - 1]!, problem.targets);
      const next = scheme.solve(problem);

      const updates = new Map<Parameter, Tensor>();
      chain.layers.forEach((layer, l) => {
        updates.set(layer.weight, weightPart(next[l]!, layer));
        if (layer.bias !== undefined) updates.set(layer.bias, biasPart(next[l]!, layer)!);
      });

      // The update direction, old − new, is compared with the true gradient while the old weights are still in place.
      const measure = scheme.alignmentEvery > 0 && stepIndex % scheme.alignmentEvery === 0;
      stepIndex++;
      if (measure) {
        const directions = modules.map((module) =>
          module.parameters().map((parameter) => {
            const value = updates.get(parameter);
            return value === undefined ? null : sub(parameter.value, value);
          }),
        );
        recordModuleAlignment(meter, modules, groups, batch, directions);
      }

      for (const [parameter, value] of updates) parameter.assign(value);
      return { losses: { model: loss } };
    },
    async epochEnd() {
      return { stats: await meter.report() };
    },
    end() {
      meter.dispose();
    },
  };
}

function batchProblem(chain: DenseChain, batch: Batch, classes: number, name: string): BatchProblem {
  const labels = classLabels(batch, name);
  const x = reshape(batch.x, [batch.x.shape[0]!, -1]);
  const targets = oneHot(labels, classes);
  const weights = chain.layers.map(augmentedWeights);

  const preActivations: Tensor[] = [];
  const activations: Tensor[] = [];
  const problem = { chain, x };
  weights.forEach((w, l) => {
    const z = matmul(layerInput(problem, activations, l), w);
    preActivations.push(z);
    if (l < weights.length - 1) activations.push(relu(z));
  });
  return { chain, x, targets, weights, preActivations, activations };
}
