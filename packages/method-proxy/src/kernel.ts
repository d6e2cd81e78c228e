/**
 * `proxy/kernel`: greedy modular training with the kernel proxy loss of Duan
 * et al. (2019, 2021). With Q training modules, phase q < Q trains module q
 * alone on the kernel proxy loss of its output, with modules 1..q−1 frozen;
 * the last phase trains the output module with cross-entropy on the frozen
 * representation. No gradient crosses a module boundary: each phase's tape
 * watches only the parameters of the module it trains.
 */
import { ConfigError, forwardThrough, type Module, pairLabels, type Phase, parametersOf, tapeFor } from "@modular/nn";
import type { TrainingContext, TrainingMethod } from "@modular/nn";
import { clipped, outputPhase } from "./local.js";
import {
  KERNEL_LOSS_NAMES,
  KERNEL_NAMES,
  type KernelLossOptions,
  kernelProxyLoss,
} from "./kernel-loss.js";

export interface KernelProxyOptions extends KernelLossOptions {
  /** Epochs of each hidden-module phase. Default: the run's epochs. */
  readonly hiddenEpochs?: number;
  /** Epochs of the output-module phase. Default: the run's epochs, more with a small labelled subset (see `outputPhase`). */
  readonly outputEpochs?: number;
  /**
   * Learning rate of the output-module phase. Default: 10 × the run's rate.
   * The proxy loss leaves the scale of the representation free, and on the
   * embedded MNIST the output layer at the run's Adam rate of 1e-3 still had
   * cross-entropy 0.19 after 15 epochs, against 0.02 at 1e-2. With SGD at a
   * large rate, pass a value here.
   */
  readonly outputLr?: number;
  /** Ratio of the output-module phase's learning rate to the run's rate, when `outputLr` is not given. Default 10. */
  readonly outputLrFactor?: number;
}

function validate(options: KernelProxyOptions): void {
  if (options.kernel !== undefined && !KERNEL_NAMES.includes(options.kernel)) {
    throw new ConfigError(`proxy/kernel: unknown kernel "${options.kernel}". Valid kernels: ${KERNEL_NAMES.join(", ")}.`);
  }
  if (options.loss !== undefined && !KERNEL_LOSS_NAMES.includes(options.loss)) {
    throw new ConfigError(`proxy/kernel: unknown loss "${options.loss}". Valid losses: ${KERNEL_LOSS_NAMES.join(", ")}.`);
  }
  const weight = options.sameClassWeight ?? 1;
  if (!(weight >= 0) || !Number.isFinite(weight)) {
    throw new ConfigError(`proxy/kernel: sameClassWeight ${weight} is invalid; it must be a finite number >= 0.`);
  }
  const sigma = options.sigma ?? 1;
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new ConfigError(`proxy/kernel: sigma ${sigma} is invalid; it must be a finite number > 0.`);
  }
  for (const [name, epochs] of [["hiddenEpochs", options.hiddenEpochs], ["outputEpochs", options.outputEpochs]] as const) {
    if (epochs !== undefined && (!Number.isInteger(epochs) || epochs <= 0)) {
      throw new ConfigError(`proxy/kernel: ${name} ${epochs} is invalid; it must be a positive integer.`);
    }
  }
  for (const [name, value] of [["outputLr", options.outputLr], ["outputLrFactor", options.outputLrFactor]] as const) {
    if (value !== undefined && (!(value > 0) || !Number.isFinite(value))) {
      throw new ConfigError(`proxy/kernel: ${name} ${value} is invalid; it must be a finite number > 0.`);
    }
  }
}

/** Plan the phase that trains `modules[index]` on the kernel proxy loss, with earlier modules frozen. */
function hiddenPhase(modules: readonly Module[], index: number, epochs: number, options: KernelProxyOptions, context: TrainingContext): Phase {
  const frozen = modules.slice(0, index);
  const target = modules[index]!;
  const parameters = parametersOf([target]);
  const optimizer = context.createOptimizer();
  const name = `module ${index + 1}/${modules.length}`;
  return {
    label: `${name}: kernel proxy loss`,
    epochs,
    labelKind: "pairs",
    trainable: [target],
    optimizers: [optimizer],
    begin() {
      frozen.forEach((module) => module.eval());
    },
    step(batch) {
      const input = forwardThrough(frozen, batch.x);
      const tape = tapeFor(parameters);
      const loss = tape.record(() => kernelProxyLoss(target.forward(input), pairLabels(batch), options));
      optimizer.step(parameters, clipped(tape.gradient(loss, parameters.map((p) => p.value)), context));
      return { losses: { [name]: loss } };
    },
    end() {
      optimizer.dispose();
    },
  };
}

/** Ratio of the default output-phase learning rate to the run's rate (see `outputLr`). */
const OUTPUT_LR_FACTOR = 10;

export function kernelProxy(options: KernelProxyOptions = {}): TrainingMethod {
  validate(options);
  return {
    name: "proxy/kernel",
    plan(modules, context) {
      if (modules.length < 2) {
        throw new ConfigError(
          `proxy/kernel needs at least 2 training modules (hidden modules and an output module), ` +
            `but got ${modules.length}. Split the model, e.g. split(model, [blocks - 1]).`,
        );
      }
      const hiddenEpochs = options.hiddenEpochs ?? context.epochs;
      const phases: Phase[] = [];
      for (let index = 0; index < modules.length - 1; index++) {
        phases.push(hiddenPhase(modules, index, hiddenEpochs, options, context));
      }
      const outputOptimizer = context.createOptimizer();
      outputOptimizer.lr = options.outputLr ?? outputOptimizer.lr * (options.outputLrFactor ?? OUTPUT_LR_FACTOR);
      phases.push(outputPhase(modules, context, options.outputEpochs, outputOptimizer));
      return phases;
    },
  };
}
