/**
 * Exit statuses of `modular` and the one-line form of its error messages.
 * Errors that the libraries raise on purpose (invalid configuration, missing
 * or malformed data, a diverging loss) print as one line without a stack
 * trace. `MODULAR_DEBUG=1` adds the stack to any error.
 */
import { BenchConfigError, BenchDocumentError, BenchUnavailableError } from "@modular/bench";
import { DatasetFormatError, DatasetNotFoundError } from "@modular/datasets";
import { CheckpointFormatError, ConfigError, NonFiniteLossError, TrainingInterruptedError } from "@modular/nn";
import { BackendError, DTypeError, InvalidArgumentError, ShapeError } from "@modular/tensor";

export const EXIT_SUCCESS = 0;
/** The run started but failed: a library error, missing data, a diverging loss. */
export const EXIT_FAILURE = 1;
/** The command line is invalid: an unknown command, flag or value. */
export const EXIT_USAGE = 2;

/** An invalid command line: an unknown flag, command or value, or a value out of range. */
export class UsageError extends Error {
  override readonly name = "UsageError";

  /** `command`: the command whose `--help` the error message points to, e.g. "bench kernels". */
  constructor(
    message: string,
    readonly command = "train",
  ) {
    super(message);
  }
}

/** A scheme of `bench schemes` that is not clearly above chance: the suite ran, and failed. */
export class SchemeBelowChanceError extends Error {
  override readonly name = "SchemeBelowChanceError";
}

/** The run stopped on Ctrl-C (SIGINT); exit status 130, as shells report a process ended by SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** A run that Ctrl-C stopped after its current step, with the command that continues it. */
export class RunInterruptedError extends Error {
  override readonly name = "RunInterruptedError";

  constructor(
    override readonly cause: TrainingInterruptedError,
    /** The run directory, absolute, so the resume command works from any folder. */
    readonly runDir: string,
    /** The command and folder that continue the run: `train` and the run directory, or `compare` and its folder. */
    readonly resume: { readonly command: "train" | "compare"; readonly dir: string } = { command: "train", dir: runDir },
  ) {
    super(
      `Interrupted after step ${cause.stepsInEpoch} of epoch ${cause.epoch} of phase ${cause.phase}. ` +
        (cause.checkpointWritten ? `Checkpoint written to ${runDir}.` : "No checkpoint was written."),
    );
  }
}

/** Error classes that the libraries raise with a message meant for the user. */
const LIBRARY_ERRORS: readonly (abstract new (...args: never[]) => Error)[] = [
  ConfigError,
  NonFiniteLossError,
  CheckpointFormatError,
  DatasetFormatError,
  DatasetNotFoundError,
  ShapeError,
  DTypeError,
  InvalidArgumentError,
  BackendError,
  BenchConfigError,
  BenchDocumentError,
  BenchUnavailableError,
  SchemeBelowChanceError,
];

/** Checks whether `error` is a library error or a Node.js system error (ENOENT, EACCES, ...), whose message is enough. */
export function isExpectedError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (LIBRARY_ERRORS.some((errorClass) => error instanceof errorClass)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/** Returns the message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Formats a failed run for stderr: `modular: error: <message>`, then the
 * stack trace when `debug` is set, or, for an error no library raised on
 * purpose, a line on how to see it.
 */
export function formatRunError(error: unknown, debug: boolean): string {
  const lines = [`modular: error: ${errorMessage(error)}`];
  if (debug && error instanceof Error && error.stack !== undefined) {
    lines.push(error.stack);
  } else if (!isExpectedError(error)) {
    lines.push("modular: set MODULAR_DEBUG=1 to print the stack trace.");
  }
  return `${lines.join("\n")}\n`;
}
