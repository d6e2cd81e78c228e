/**
 * `fa/fa`, `fa/sign-symmetry` and `fa/dfa`: one phase that trains every
 * module at once, like end-to-end backprop, on the gradients of the
 * feedback-alignment counterpart of the model (see `withFeedback`).
 *
 * Each step runs the counterpart forward on one tape over every parameter,
 * takes the output error e = ∂L/∂y of the cross-entropy on a second tape,
 * and runs the backward pass from y with e as the cotangent. The weight
 * and bias gradients of every layer are then the true ones for the
 * cotangent that reached the layer's output, which the feedback paths
 * computed. Every `alignmentEvery` steps the phase also takes the true
 * backprop gradient of the original modules on the same batch and records,
 * per weight layer, the angle between it and the update.
 */
import { Tape } from "@modular/autodiff";
import {
  AlignmentMeter,
  type Batch,
  classLabels,
  clipGradNorm,
  ConfigError,
  crossEntropy,
  forwardThrough,
  type Module,
  type Phase,
  parametersOf,
  tapeFor,
  type TrainingContext,
  type TrainingMethod,
  trueGradients,
} from "@modular/nn";
import type { Tensor } from "@modular/tensor";
import { directFeedback, type FeedbackScheme, randomFeedback, type SignMagnitude, signFeedback } from "./feedback.js";

export interface FeedbackOptions {
  /**
   * Scale of the feedback weights: their standard deviation is
   * scale/√fanOut (fa, sign-symmetry) or scale/√outputs (dfa). Default 1.
   */
  readonly scale?: number;
  /** Steps between alignment measurements against the true backprop gradient; 0 turns them off. Default 20. */
  readonly alignmentEvery?: number;
}

export interface SignSymmetryOptions extends FeedbackOptions {
  /** "uniform" (the default): one fixed magnitude per layer; "batch-random": random magnitudes redrawn every batch. */
  readonly magnitude?: SignMagnitude;
}

/** Offset of the feedback seeds from the run seed, so feedback matrices differ from the weights of the same seed. */
const FEEDBACK_SEED_OFFSET = 9000;

/** `fa/fa`: every layer's input gradient through a fixed random matrix of the weight's shape. */
export function fa(options: FeedbackOptions = {}): TrainingMethod {
  const name = "fa/fa";
  const scale = checkOptions(name, options);
  return feedbackMethod(name, options, "feedback through fixed random matrices", (modules, context) =>
    randomFeedback(modules, { scale, seed: context.seed + FEEDBACK_SEED_OFFSET }),
  );
}

/** `fa/sign-symmetry`: feedback that shares the sign of the current weights. */
export function signSymmetry(options: SignSymmetryOptions = {}): TrainingMethod {
  const name = "fa/sign-symmetry";
  const scale = checkOptions(name, options);
  const magnitude = options.magnitude ?? "uniform";
  if (magnitude !== "uniform" && magnitude !== "batch-random") {
    throw new ConfigError(`${name}: magnitude "${String(magnitude)}" is invalid; use "uniform" or "batch-random".`);
  }
  return feedbackMethod(name, options, `sign-symmetric feedback, ${magnitude} magnitudes`, (modules, context) =>
    signFeedback(modules, { scale, seed: context.seed + FEEDBACK_SEED_OFFSET, magnitude }),
  );
}

/** `fa/dfa`: the output error sent to every layer through a fixed random matrix of its own. */
export function dfa(options: FeedbackOptions = {}): TrainingMethod {
  const name = "fa/dfa";
  const scale = checkOptions(name, options);
  return feedbackMethod(name, options, "output error through fixed random matrices", (modules, context) => {
    if (context.sampleShape === undefined) {
      throw new ConfigError(
        `${name} needs the sample shape of the training data to size its feedback matrices. ` +
          "Train from a source with a `sampleShape`, such as a Dataset of @modular/datasets.",
      );
    }
    return directFeedback(modules, { scale, seed: context.seed + FEEDBACK_SEED_OFFSET, sampleShape: context.sampleShape });
  });
}

/** Validate the shared options and return the scale. */
function checkOptions(name: string, options: FeedbackOptions): number {
  const scale = options.scale ?? 1;
  if (!(typeof scale === "number" && Number.isFinite(scale) && scale > 0)) {
    throw new ConfigError(`${name}: scale ${scale} is invalid; it must be a finite number > 0, such as 1.`);
  }
  const every = options.alignmentEvery ?? 20;
  if (!Number.isInteger(every) || every < 0) {
    throw new ConfigError(`${name}: alignmentEvery ${every} is invalid; it must be an integer ≥ 0 (0 turns it off).`);
  }
  return scale;
}

type SchemeFactory = (modules: readonly Module[], context: TrainingContext) => FeedbackScheme;

function feedbackMethod(name: string, options: FeedbackOptions, summary: string, build: SchemeFactory): TrainingMethod {
  const alignmentEvery = options.alignmentEvery ?? 20;
  return {
    name,
    plan(modules: readonly Module[], context: TrainingContext): Phase[] {
      if (modules.length === 0) {
        throw new ConfigError(`${name} needs at least one training module, but got none.`);
      }
      return [createPhase(modules, build(modules, context), context, { name, summary, alignmentEvery })];
    },
  };
}

/** A named group of parameter positions in `parametersOf(modules)`: one weight layer's weight and bias. */
interface LayerGroup {
  readonly name: string;
  readonly indices: readonly number[];
}

function layerGroups(modules: readonly Module[], scheme: FeedbackScheme): LayerGroup[] {
  const parameters = parametersOf(modules);
  const count = scheme.network.layers.length;
  return scheme.network.layers.map(({ layer }, k) => ({
    name: `layer ${k + 1}/${count}`,
    indices: layer.parameters().map((parameter) => parameters.indexOf(parameter)),
  }));
}

interface PhaseSettings {
  readonly name: string;
  readonly summary: string;
  readonly alignmentEvery: number;
}

function createPhase(modules: readonly Module[], scheme: FeedbackScheme, context: TrainingContext, settings: PhaseSettings): Phase {
  const parameters = parametersOf(modules);
  const optimizer = context.createOptimizer();
  const meter = new AlignmentMeter();
  const groups = layerGroups(modules, scheme);
  let stepIndex = 0;

  function step(batch: Batch): { losses: Record<string, Tensor> } {
    const measure = settings.alignmentEvery > 0 && stepIndex % settings.alignmentEvery === 0;
    const labels = classLabels(batch, settings.name);

    // 1. The forward pass of the counterpart on one tape over every parameter.
    const tape = tapeFor(parameters);
    const output = tape.record(() => forwardThrough(scheme.network.modules, batch.x));

    // 2. The output error e = ∂L/∂y, on a tape that watches only the output.
    const errorTape = new Tape().watch(output);
    const loss = errorTape.record(() => crossEntropy(output, labels));
    const [error] = errorTape.gradient(loss, [output]) as [Tensor];

    // 3. The backward pass from the output, through the feedback paths.
    scheme.beginBackward(stepIndex, error);
    let grads: (Tensor | null)[];
    try {
      grads = tape.gradient(output, parameters.map((parameter) => parameter.value), { cotangent: error, unconnected: "zero" });
    } finally {
      scheme.endBackward();
    }
    stepIndex += 1;

    if (measure) {
      const truth = trueGradients(modules, batch);
      for (const group of groups) {
        meter.record(group.name, group.indices.map((i) => grads[i] ?? null), group.indices.map((i) => truth[i]!));
      }
    }

    const maxNorm = context.maxGradNorm;
    optimizer.step(parameters, maxNorm === undefined ? grads : clipGradNorm(grads, maxNorm).grads);
    return { losses: { model: loss } };
  }

  return {
    label: `${settings.name}: every layer at once, ${settings.summary}`,
    epochs: context.epochs,
    trainable: modules,
    auxiliary: scheme.auxiliary,
    optimizers: [optimizer],
    step,
    async epochEnd() {
      return { stats: await meter.report() };
    },
    end() {
      meter.dispose();
      optimizer.dispose();
      scheme.auxiliary.forEach((module) => module.dispose());
    },
  };
}
