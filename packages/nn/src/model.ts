/**
 * The `Model` class: a `Sequential` of named blocks that remembers the spec
 * it was built from, and `ModelPart`, a run of its blocks cut out by `split`.
 */
import type { ModelSpec } from "./builders.js";
import { ConfigError } from "./errors.js";
import { type Module, Sequential } from "./module.js";

/** A model: its blocks in order, their names, and the spec that rebuilds it. */
export class Model extends Sequential {
  /** One name per block, e.g. ["conv1", "conv2", "fc1", "output"]. */
  readonly blockNames: readonly string[];

  constructor(
    readonly spec: ModelSpec,
    readonly blocks: readonly Module[],
    blockNames?: readonly string[],
  ) {
    super(blocks);
    this.blockNames = blockNames ?? blocks.map((_, i) => (i === blocks.length - 1 ? "output" : `block${i + 1}`));
    if (this.blockNames.length !== blocks.length || new Set(this.blockNames).size !== blocks.length) {
      throw new ConfigError(
        `Model: needs one unique name per block, but got ${this.blockNames.length} names ` +
          `[${this.blockNames.join(", ")}] for ${blocks.length} blocks.`,
      );
    }
  }
}


/**
 * A training module cut from a `Model` by `split`: blocks
 * [firstBlock, firstBlock + layers.length) of the model built from `spec`.
 * A method that trains a module in another thread or process rebuilds it from
 * these fields and copies its tensors over.
 */
export class ModelPart extends Sequential {
  constructor(
    readonly spec: ModelSpec,
    readonly firstBlock: number,
    blocks: readonly Module[],
  ) {
    super(blocks);
  }
}
