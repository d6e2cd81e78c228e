/** Errors of checkpoint files and of loading them into modules and optimizers. */

/** The parts of a `CheckpointFormatError` message. */
export interface CheckpointProblem {
  /** File path or another label of the bytes. */
  readonly source: string;
  /** Field, tensor or byte offset, e.g. `tensor "0.weight" dtype`. */
  readonly location: string;
  readonly expected: string;
  readonly found: string;
  /** Optional sentence on how to fix it. */
  readonly hint?: string;
}

/**
 * A checkpoint file is malformed, or does not match the module or run it is
 * loaded into. Nothing is padded, truncated or reshaped to make it fit.
 */
export class CheckpointFormatError extends Error {
  override readonly name = "CheckpointFormatError";
  readonly source: string;
  readonly location: string;
  readonly expected: string;
  readonly found: string;

  constructor(problem: CheckpointProblem) {
    const hint = problem.hint === undefined ? "" : ` ${problem.hint}`;
    super(`${problem.source}: ${problem.location}: expected ${problem.expected}, found ${problem.found}.${hint}`);
    this.source = problem.source;
    this.location = problem.location;
    this.expected = problem.expected;
    this.found = problem.found;
  }
}
