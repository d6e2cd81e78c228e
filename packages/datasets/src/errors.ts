/**
 * Error classes of `@modular/datasets`. A format error carries the four facts
 * a reader needs to find the problem: the file or dataset, the field or byte
 * offset, what was expected and what was found.
 */

/** The parts of a `DatasetFormatError` message. */
export interface FormatProblem {
  /** File path (or another source label) of the data, or `dataset "name"`. */
  readonly source: string;
  /** Field or byte offset, e.g. `magic number (bytes 0-3)` or `label 17 (byte offset 25)`. */
  readonly location: string;
  readonly expected: string;
  readonly found: string;
  /** Optional sentence on how to fix the input. */
  readonly hint?: string;
}

/**
 * A data file or an in-memory dataset does not have the expected format or
 * contents. Nothing is padded, truncated or relabelled to make it fit.
 */
export class DatasetFormatError extends Error {
  override readonly name = "DatasetFormatError";
  readonly source: string;
  readonly location: string;
  readonly expected: string;
  readonly found: string;

  constructor(problem: FormatProblem) {
    const hint = problem.hint === undefined ? "" : ` ${problem.hint}`;
    super(`${problem.source}: ${problem.location}: expected ${problem.expected}, found ${problem.found}.${hint}`);
    this.source = problem.source;
    this.location = problem.location;
    this.expected = problem.expected;
    this.found = problem.found;
  }
}

/** A data file is missing. `paths` lists every path that was tried. */
export class DatasetNotFoundError extends Error {
  override readonly name = "DatasetNotFoundError";

  constructor(
    message: string,
    readonly paths: readonly string[],
  ) {
    super(message);
  }
}
