/** Small in-memory data sources and a probe method for runner tests. */
import { Dataset } from "@modular/datasets";
import { scalar } from "@modular/tensor";
import type { Batch, Module, Phase, TrainingMethod } from "../src/index.js";

/**
 * `count` samples of `features` values in [0, 1). Value 0 of sample i is
 * i / count, which identifies the sample in a batch, and its label is
 * floor(i · classes / count), so a model can learn the labels from value 0.
 * The other values are fixed filler.
 */
export function binnedSource(count: number, features: number, classes: number): Dataset {
  const images = new Float32Array(count * features);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const position = i / count;
    images[i * features] = position;
    for (let j = 1; j < features; j++) images[i * features + j] = ((i * 7 + j * 13) % 17) / 17;
    labels[i] = Math.floor(position * classes);
  }
  return new Dataset({ name: `binned-${count}`, images, labels, sampleShape: [features], classes });
}

/** The batches and calls that a probe phase recorded. */
export interface ProbeLog {
  /** Batch sizes, in step order. */
  readonly batchSizes: number[];
  /** Value 0 of every sample seen, in step order. */
  readonly firstValues: number[];
  /** "begin <label>", "end <label>" in call order. */
  readonly calls: string[];
}

/**
 * Build a method of `phaseCount` phases that trains nothing. Each step reports the
 * loss `lossAt(step)` (step counted from 1 within the phase) as "probe module"
 * and records its batch in `log`.
 */
export function probeMethod(log: ProbeLog, lossAt: (step: number) => number = () => 1, phaseCount = 1): TrainingMethod {
  return {
    name: "probe",
    plan(modules: readonly Module[], context): Phase[] {
      return Array.from({ length: phaseCount }, (_, index) => {
        const label = `probe phase ${index + 1}`;
        let step = 0;
        return {
          label,
          epochs: context.epochs,
          trainable: modules,
          begin() {
            log.calls.push(`begin ${label}`);
          },
          step(batch: Batch) {
            step++;
            log.batchSizes.push(batch.x.shape[0]!);
            log.firstValues.push(...(batch.x.arraySync() as number[][]).map((row) => row[0]!));
            return { losses: { "probe module": scalar(lossAt(step)) } };
          },
          end() {
            log.calls.push(`end ${label}`);
          },
        };
      });
    },
  };
}

export function emptyLog(): ProbeLog {
  return { batchSizes: [], firstValues: [], calls: [] };
}
