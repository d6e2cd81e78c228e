/**
 * `syngrad/dni` and `syngrad/cdni`: Decoupled Neural Interfaces with an
 * end-to-end forward pass (Jaderberg et al., "Decoupled neural interfaces
 * using synthetic gradients", ICML 2017).
 *
 * For each boundary between training modules q and q+1, a synthetic-gradient
 * model M_q predicts ∂L/∂h_q from the activation h_q (and, for cDNI, the
 * one-hot labels). Module q updates with the VJP of its forward pass
 * against that prediction, so no backward pass crosses the boundary. The
 * last module updates on the loss. Every `trueGradientEvery` steps, each
 * module q+1 also returns the gradient at its input, computed from its own
 * upstream signal (the loss for the last module, M_{q+1}'s prediction
 * otherwise), and M_q regresses toward it with a mean squared error. With
 * three or more modules, M_q's target therefore rests on M_{q+1}'s estimate.
 *
 * TODO: synthetic inputs, the paper's option that also decouples the forward
 * pass, are missing: every step still runs the whole model forward.
 */
import {
  AlignmentMeter,
  type Batch,
  classLabels,
  clipGradNorm,
  ConfigError,
  crossEntropy,
  parameterGroups,
  type Module,
  type Optimizer,
  type Phase,
  type TrainingContext,
  type TrainingMethod,
  moduleOutputShapes,
  recordModuleAlignment,
} from "@modular/nn";
import { oneHot, type Tensor } from "@modular/tensor";
import {
  cotangentOf,
  forwardModules,
  moduleGradients,
  predictSyntheticGradient,
  syntheticGradientLoss,
} from "./dni-step.js";
import { SyntheticGradientModel } from "./synthetic-gradient-model.js";

export interface DniOptions {
  /** Steps between true-gradient targets for the synthetic-gradient models; 1 (the default) means every step. */
  readonly trueGradientEvery?: number;
  /**
   * Hidden ReLU layers of each synthetic-gradient model. Default 0, a linear
   * model: on the embedded MNIST `mlp` it trained better than one hidden layer
   * of 256 units (see docs/results.md).
   */
  readonly hiddenLayers?: number;
  /** Width of those hidden layers, when there are any. Default 256. */
  readonly width?: number;
  /** Steps between alignment measurements against the true backprop gradient; 0 turns them off. Default 20. */
  readonly alignmentEvery?: number;
  /** Report the alignment angle per training "module" (the default) or per "layer" inside each module. */
  readonly alignmentPer?: "module" | "layer";
}

interface SyngradOptions extends DniOptions {
  readonly name: string;
  /** Condition the synthetic-gradient models on the one-hot labels (cDNI). */
  readonly conditioned: boolean;
}

function checkInteger(method: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${method}: ${name} ${value} is invalid; it must be an integer ≥ ${min}.`);
  }
}

/** `syngrad/dni`: synthetic gradients from the activation alone. */
export function dni(options: DniOptions = {}): TrainingMethod {
  return syntheticGradientMethod({ ...options, name: "syngrad/dni", conditioned: false });
}

/** `syngrad/cdni`: synthetic gradients conditioned on the one-hot labels. */
export function cdni(options: DniOptions = {}): TrainingMethod {
  return syntheticGradientMethod({ ...options, name: "syngrad/cdni", conditioned: true });
}


function syntheticGradientMethod(options: SyngradOptions): TrainingMethod {
  const { name, conditioned } = options;
  const every = options.trueGradientEvery ?? 1;
  const hiddenLayers = options.hiddenLayers ?? 0;
  const width = options.width ?? 256;
  const alignmentEvery = options.alignmentEvery ?? 20;
  checkInteger(name, "trueGradientEvery", every, 1);
  checkInteger(name, "hiddenLayers", hiddenLayers, 0);
  checkInteger(name, "width", width, 1);
  checkInteger(name, "alignmentEvery", alignmentEvery, 0);
  const alignmentPer = options.alignmentPer ?? "module";
  if (alignmentPer !== "module" && alignmentPer !== "layer") {
    throw new ConfigError(`${name}: alignmentPer "${String(alignmentPer)}" is invalid; use "module" or "layer".`);
  }

  return {
    name,
    plan(modules: readonly Module[], context: TrainingContext): Phase[] {
      if (modules.length < 2) {
        throw new ConfigError(
          `${name} needs at least two training modules, so that one boundary gets a synthetic gradient, but got ` +
            `${modules.length}. Split the model before the output layer or at every block.`,
        );
      }
      if (context.sampleShape === undefined) {
        throw new ConfigError(
          `${name} needs the sample shape of the training data to size its synthetic-gradient models. ` +
            "Train from a source with a `sampleShape`, such as a Dataset of @modular/datasets.",
        );
      }
      const shapes = moduleOutputShapes(modules, context.sampleShape);
      const synthesizers = modules.slice(0, -1).map(
        (_, q) =>
          new SyntheticGradientModel({
            activationShape: shapes[q]!,
            conditionClasses: conditioned ? context.classes : 0,
            hiddenLayers,
            width,
            seed: context.seed + 7000 + q,
          }),
      );
      return [createPhase(modules, synthesizers, context, { name, conditioned, every, alignmentEvery, alignmentPer })];
    },
  };
}

interface PhaseSettings {
  readonly name: string;
  readonly conditioned: boolean;
  readonly every: number;
  readonly alignmentEvery: number;
  readonly alignmentPer: "module" | "layer";
}

function createPhase(
  modules: readonly Module[],
  synthesizers: readonly SyntheticGradientModel[],
  context: TrainingContext,
  settings: PhaseSettings,
): Phase {
  const count = modules.length;
  const moduleOptimizers: Optimizer[] = modules.map(() => context.createOptimizer());
  const synthesizerOptimizers: Optimizer[] = synthesizers.map(() => context.createOptimizer());
  const meter = new AlignmentMeter();
  const moduleName = (q: number) => `module ${q + 1}/${count}`;
  const boundaryName = (q: number) => `synthetic gradient ${q + 1}/${count - 1}`;
  const groups = modules.map((module, q) => parameterGroups(module, moduleName(q), settings.alignmentPer));
  let stepIndex = 0;

  const clip = (grads: (Tensor | null)[]) =>
    context.maxGradNorm === undefined ? grads : clipGradNorm(grads, context.maxGradNorm).grads;

  function step(batch: Batch): { losses: Record<string, Tensor> } {
    const takeTrueGradient = stepIndex % settings.every === 0;
    const measure = settings.alignmentEvery > 0 && stepIndex % settings.alignmentEvery === 0;
    stepIndex += 1;

    const labels = classLabels(batch, settings.name);
    const condition = settings.conditioned ? oneHot(labels, context.classes) : undefined;

    // 1. One forward pass, each module on its own tape, then the loss on the last module's tape.
    const { tapes, outputs } = forwardModules(modules, batch.x, takeTrueGradient);
    const last = count - 1;
    const loss = tapes[last]!.record(() => crossEntropy(outputs[last]!, labels));

    // 2. The synthetic gradient at every boundary, each on its model's own tape.
    const predictions = synthesizers.map((model, q) => predictSyntheticGradient(model, outputs[q]!, condition));

    // 3. Every module's update, and the true input gradients when they are due. No optimizer steps yet.
    const updates = modules.map((module, q) => {
      const input = takeTrueGradient && q > 0 ? outputs[q - 1]! : undefined;
      const signal = q === last ? { loss } : { cotangent: cotangentOf(predictions[q]!.prediction) };
      return moduleGradients(tapes[q]!, outputs[q]!, module.parameters(), signal, input);
    });

    // 4. The regression of each synthetic-gradient model toward the true gradient from the module above it.
    const losses: Record<string, Tensor> = { [moduleName(last)]: loss };
    const synthesizerGrads = synthesizers.map((model, q) => {
      const target = updates[q + 1]!.inputTarget;
      if (target === undefined) return undefined;
      const { tape, prediction } = predictions[q]!;
      const regression = syntheticGradientLoss(tape, model, prediction, target);
      losses[boundaryName(q)] = regression.loss;
      return regression.grads;
    });

    if (measure) recordModuleAlignment(meter, modules, groups, batch, updates.map((update) => update.grads));

    // 5. Apply every update computed above.
    modules.forEach((module, q) => moduleOptimizers[q]!.step(module.parameters(), clip(updates[q]!.grads)));
    synthesizers.forEach((model, q) => {
      const grads = synthesizerGrads[q];
      if (grads !== undefined) synthesizerOptimizers[q]!.step(model.parameters(), clip(grads));
    });
    return { losses };
  }



  return {
    label: `${settings.name}: every module on synthetic gradients, true-gradient targets ${settings.every === 1 ? "every step" : `every ${settings.every} steps`}`,
    epochs: context.epochs,
    trainable: modules,
    auxiliary: synthesizers,
    optimizers: [...moduleOptimizers, ...synthesizerOptimizers],
    step,
    // The true-gradient and alignment intervals count steps from the start of the phase.
    resumeAt(steps: number) {
      stepIndex = steps;
    },
    async epochEnd() {
      return { stats: await meter.report() };
    },
    end() {
      meter.dispose();
      [...moduleOptimizers, ...synthesizerOptimizers].forEach((optimizer) => optimizer.dispose());
      synthesizers.forEach((model) => model.dispose());
    },
  };
}
