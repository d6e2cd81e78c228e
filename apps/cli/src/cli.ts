/**
 * The `modular` command line: Commander parses the arguments, `options.ts`
 * validates them, and `train-command.ts` runs them. `runCli` returns the
 * exit status instead of exiting, so tests call it in the same process.
 */
import { Command, CommanderError, Option } from "commander";
import { DEFAULT_KERNEL_SUITE_OPTIONS, TARGETS } from "@modular/bench";
import { DEFAULT_FASHION_MNIST_DIR } from "@modular/datasets";
import { OPTIMIZER_KINDS } from "@modular/nn";
import { listBackends } from "@modular/tensor";
import packageJson from "../package.json" with { type: "json" };
import { errorMessage, EXIT_FAILURE, EXIT_SUCCESS, EXIT_USAGE, formatRunError, UsageError } from "./errors.js";
import { trainHelpAfterFlags } from "./help.js";
import { type BenchFlags, DEFAULT_BENCHMARKS_DOC, parseBenchFlags } from "./bench-options.js";
import { runBenchKernels } from "./bench-command.js";
import { runBenchSchemes } from "./schemes-command.js";
import { definePeersCommand, runBenchPeers } from "./peers-command.js";
import { parsePeersFlags } from "./peers-options.js";
import { DEFAULT_RESULTS_DOC, parseSchemesFlags, type SchemesFlags } from "./schemes-options.js";
import { LABEL_KINDS, parseTrainFlags, SCHEDULE_NAMES, type TrainFlags } from "./options.js";
import { writeJsonError } from "./report/json.js";
import type { OutputStream } from "./report/reporter.js";
import { runTrain } from "./train-command.js";
import { runTransfer } from "./transfer-command.js";
import { parseTransferFlags, type TransferFlags } from "./transfer-options.js";

/** Output streams of `runCli`, and the environment it reads `MODULAR_DEBUG` from. */
export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A Commander error together with the command that raised it, so its message can list that command's flags. */
class CommandLineError extends Error {
  constructor(
    readonly commanderError: CommanderError,
    readonly command: Command,
  ) {
    super(commanderError.message);
  }
}

function throwFrom(command: Command): (error: CommanderError) => never {
  return (error) => {
    throw new CommandLineError(error, command);
  };
}

/**
 * Creates a flag in a help group. Flags without a default value state theirs
 * in the description, because Commander shows "(default: ...)" only for a
 * defined default.
 */
function option(flags: string, description: string, group: string, defaultValue?: string): Option {
  const created = new Option(flags, description).helpGroup(group);
  return defaultValue === undefined ? created : created.default(defaultValue, defaultValue);
}

function defineTrainCommand(program: Command, io: CliIO, onTrain: (flags: TrainFlags) => Promise<void>): Command {
  const train = program
    .command("train")
    .description("train a model with one training method, then report its test accuracy");
  train.exitOverride(throwFrom(train));

  const model = "Model and method:";
  train.addOption(option("--method <name>", "training method, see Methods below", model, "proxy/kernel"));
  train.addOption(option("--model <name>", "model architecture, see Models below", model, "mlp"));
  train.addOption(
    option("--hidden <widths>", "comma-separated widths of the hidden fully connected layers (default: the model's, see Models)", model),
  );
  train.addOption(option("--width <factor>", "factor on every width of vgg and resnet, e.g. 0.25 (default: 1)", model));
  train.addOption(
    option(
      "--split <where>",
      "training modules: every-block, before-output, or the comma-separated block names each module ends with, e.g. hidden1 (default: the method's, see Methods)",
      model,
    ),
  );

  const data = "Data:";
  train.addOption(option("--dataset <name>", "dataset, see Datasets below", data, "mnist"));
  train.addOption(
    option(
      "--data-dir <dir>",
      `folder of a dataset read from disk (fashion-mnist default: ${DEFAULT_FASHION_MNIST_DIR})`,
      data,
    ),
  );
  train.addOption(option("--csv-train <file>", "CSV file of the training split, for --dataset csv", data));
  train.addOption(option("--csv-test <file>", "CSV file of the test split, for --dataset csv", data));
  train.addOption(option("--csv-label <column>", "label column of the CSV files: a header name or an index from 0", data, "label"));
  train.addOption(option("--limit-train <n>", "train on the first n training samples (default: all)", data));
  train.addOption(option("--limit-test <n>", "evaluate on the first n test samples (default: all)", data));
  train.addOption(option("--normalize", "normalise each channel with the training split's mean and standard deviation", data));
  train.addOption(option("--augment", "augment training images with random shifts of up to 4 pixels and left-right flips (for natural images such as CIFAR)", data));
  train.addOption(
    option(
      "--labels <kind>",
      `labels the hidden modules train from: ${LABEL_KINDS.join(", ")} (pair labels 1{yi = yj} only; the output layer then fits on --shots examples per class)`,
      data,
      "full",
    ),
  );
  train.addOption(option("--shots <k>", "labelled examples per class for the output layer, with --labels pairwise (default: 1)", data));

  const training = "Training:";
  train.addOption(option("--epochs <n>", "epochs of each training phase (default: mlp 15, cnn 8, vgg 10, resnet 10)", training));
  train.addOption(option("--batch-size <n>", "samples per mini-batch", training, "128"));
  train.addOption(option("--lr <rate>", "learning rate of the optimizer", training, "0.001"));
  const optimizers = [...OPTIMIZER_KINDS].sort().join(", ");
  train.addOption(option("--optimizer <name>", `optimizer: ${optimizers}`, training, "adam"));
  train.addOption(
    option("--seed <n>", "seed of the initial weights and the shuffles, an integer from 0 to 4294967295", training, "1"),
  );
  const backends = listBackends().sort().join(", ");
  train.addOption(option("--backend <name>", `tensor backend: ${backends}`, training, "cpu"));
  train.addOption(option("--schedule <name>", `learning-rate schedule per epoch: ${SCHEDULE_NAMES.join(", ")}`, training, "constant"));
  train.addOption(option("--warmup <n>", "epochs of linear warm-up before the schedule: epoch k trains at k/(n+1) of --lr", training, "0"));
  train.addOption(option("--lr-step <epochs>", "epochs between decays of --schedule step", training));
  train.addOption(option("--lr-gamma <factor>", "factor of each decay of --schedule step", training, "0.1"));
  train.addOption(option("--weight-decay <lambda>", "L2 penalty added to every gradient as lambda times the weight", training, "0"));
  train.addOption(option("--momentum <mu>", "momentum of --optimizer sgd (default: 0)", training));
  train.addOption(option("--max-grad-norm <norm>", "clip each step's gradients to this global norm (default: no clipping)", training));

  const checkpoints = "Checkpoints:";
  train.addOption(option("--checkpoint-dir <dir>", "write a checkpoint of the modules and optimizers to this folder", checkpoints));
  train.addOption(option("--checkpoint-every <epochs>", "epochs between checkpoints; the last epoch of each phase is always saved", checkpoints, "1"));
  train.addOption(option("--resume <dir>", "continue the run saved in this checkpoint folder, with the same flags", checkpoints));

  const output = "Output:";
  train.addOption(
    option("--json", "print one JSON object per line for every training event, and nothing else on stdout", output),
  );
  train.addOption(option("--log-every <steps>", "steps between loss readbacks and progress updates", output, "20"));
  train.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));

  train.addHelpText("after", () => trainHelpAfterFlags(io.stdout.columns ?? 80));
  train.action((flags: TrainFlags) => onTrain(flags));
  return train;
}

function defineTransferCommand(program: Command, onTransfer: (flags: TransferFlags) => Promise<void>): Command {
  const transfer = program
    .command("transfer")
    .description(
      "score how well trained bodies (every training module of a checkpoint but the last) transfer to a dataset, " +
        "by their kernel proxy loss on its batches, and rank them",
    );
  transfer.exitOverride(throwFrom(transfer));

  const bodies = "Bodies and target:";
  transfer.addOption(
    option("--body <dir>", "checkpoint folder of `modular train --checkpoint-dir`; repeat the flag for several bodies", bodies).argParser(
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    ),
  );
  transfer.addOption(option("--dataset <name>", "target dataset, as for `modular train` (required)", bodies));
  transfer.addOption(
    option("--data-dir <dir>", `folder of a dataset read from disk (fashion-mnist default: ${DEFAULT_FASHION_MNIST_DIR})`, bodies),
  );
  transfer.addOption(option("--csv-train <file>", "CSV file of the training split, for --dataset csv", bodies));
  transfer.addOption(option("--csv-test <file>", "CSV file of the test split, for --dataset csv", bodies));
  transfer.addOption(option("--csv-label <column>", "label column of the CSV files: a header name or an index from 0", bodies, "label"));
  transfer.addOption(option("--limit-train <n>", "use the first n training samples for scoring and fitting (default: all)", bodies));
  transfer.addOption(option("--limit-test <n>", "evaluate fitted bodies on the first n test samples (default: all)", bodies));
  transfer.addOption(option("--normalize", "normalise each channel with the training split's mean and standard deviation", bodies));

  const scoring = "Scoring and fitting:";
  transfer.addOption(option("--batches <n>", "batches of training samples the score averages over", scoring, "10"));
  transfer.addOption(option("--batch-size <n>", "samples per batch, for scoring and for fitting", scoring, "128"));
  transfer.addOption(option("--seed <n>", "seed of the scored batches, the output layers and the shuffles", scoring, "1"));
  transfer.addOption(
    option("--fit-epochs <n>", "also fit an output layer on each frozen body for n epochs and report its test accuracy (default: score only)", scoring),
  );
  transfer.addOption(option("--fit-lr <rate>", "Adam learning rate of the output-layer fit", scoring, "0.01"));
  const backends = listBackends().sort().join(", ");
  transfer.addOption(option("--backend <name>", `tensor backend: ${backends}`, scoring, "cpu"));

  const output = "Output:";
  transfer.addOption(option("--json", "print one JSON object per line (score, fit, ranking), and nothing else on stdout", output));
  transfer.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  transfer.addHelpText(
    "after",
    [
      "",
      "The score is the mean kernel proxy loss (Duan et al. 2021) of the body's output on the target's batches:",
      "the lower it is, the better the body is predicted to transfer.",
      "",
      "Exit status: 0 on success, 1 when a run fails (e.g. a malformed checkpoint), 2 for an invalid command line.",
      "",
      "Example:",
      "  modular transfer --body runs/mnist --body runs/random --dataset fashion-mnist --fit-epochs 1",
    ].join("\n"),
  );
  transfer.action((flags: TransferFlags) => onTransfer(flags));
  return transfer;
}

function defineSchemesCommand(bench: Command, onSchemes: (flags: SchemesFlags) => Promise<void>): void {
  const schemes = bench
    .command("schemes")
    .description(
      "train every registered scheme and backprop on embedded MNIST mlp, Fashion-MNIST mlp and cnn, 3 seeds each, " +
        "and report test accuracy, time and peak memory with plots",
    );
  schemes.exitOverride(throwFrom(schemes));
  const suite = "Suite:";
  schemes.addOption(option("--quick", "small slices of each dataset, 1 or 2 epochs and seed 1: a smoke test of a few minutes", suite));
  schemes.addOption(option("--workloads <list>", "comma-separated workloads: mnist-mlp, fashion-mlp, fashion-cnn (default: all)", suite));
  schemes.addOption(option("--schemes <list>", "comma-separated schemes, as for train --method; backprop always runs (default: all)", suite));
  schemes.addOption(option("--seeds <list>", "comma-separated seeds of the weights and shuffles (default: 1,2,3; 1 with --quick)", suite));
  const backends = listBackends().sort().join(", ");
  schemes.addOption(option("--backend <name>", `tensor backend: ${backends}`, suite, "cpu"));
  const output = "Output:";
  schemes.addOption(option("--out <dir>", "folder for schemes.json, schemes.md and the SVG plots (default: bench-results/schemes-<start time>)", output));
  schemes.addOption(
    option(
      "--write-docs [file]",
      `also replace the generated schemes section of a Markdown file, with its plots in plots/ beside it (default file: ${DEFAULT_RESULTS_DOC})`,
      output,
    ),
  );
  schemes.addOption(option("--json", "print the report as one JSON object, and nothing else on stdout", output));
  schemes.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  schemes.addHelpText(
    "after",
    [
      "",
      "Fashion-MNIST is read from /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).",
      "Exit status: 0 on success, 1 when a run fails or a scheme is below twice the chance level, 2 for an invalid command line.",
      "",
      "Examples:",
      "  modular bench schemes --quick",
      "  modular bench schemes --workloads mnist-mlp --schemes proxy/kernel,syngrad/cdni --write-docs",
    ].join("\n"),
  );
  schemes.action((flags: SchemesFlags) => onSchemes(flags));
}

function defineBenchCommand(
  program: Command,
  onKernels: (flags: BenchFlags) => Promise<void>,
  onSchemes: (flags: SchemesFlags) => Promise<void>,
): Command {
  const bench = program.command("bench").description("measure speed: run a benchmark suite of @modular/bench");
  bench.exitOverride(throwFrom(bench));
  bench.helpOption("-h, --help", "print this help");

  const kernels = bench
    .command("kernels")
    .description(
      "time square matmuls and one MLP training step (784-512-512-10) on our backends and TensorFlow.js 4.22.0, " +
        "and report GFLOP/s, samples/s and our/TensorFlow.js ratios",
    );
  kernels.exitOverride(throwFrom(kernels));

  const defaults = DEFAULT_KERNEL_SUITE_OPTIONS;
  const suite = "Suite:";
  kernels.addOption(
    option("--sizes <list>", "comma-separated matmul sizes n, each an n×n by n×n product; empty for none", suite, defaults.sizes.join(",")),
  );
  kernels.addOption(
    option("--targets <list>", `comma-separated targets, run in order: ${TARGETS.join(", ")}`, suite, defaults.targets.join(",")),
  );
  kernels.addOption(option("--mlp-batch <n>", "samples per batch of the MLP training step; 0 leaves it out", suite, String(defaults.mlpBatch)));
  kernels.addOption(option("--optimizer <name>", "optimizer of the MLP training step: sgd, adam", suite, defaults.optimizer));
  kernels.addOption(option("--seed <n>", "seed of the random inputs and initial weights", suite, String(defaults.seed)));

  const timing = "Timing:";
  kernels.addOption(option("--warmup <n>", "untimed runs of each workload before timing", timing, String(defaults.warmup)));
  kernels.addOption(option("--repeats <n>", "timed repeats of each workload; the report gives their median", timing, String(defaults.repeats)));
  kernels.addOption(
    option("--min-time <ms>", "minimum duration of one timed repeat in milliseconds", timing, String(defaults.minRepeatMs)),
  );

  const output = "Output:";
  kernels.addOption(option("--json", "print the report as one JSON object, and nothing else on stdout", output));
  kernels.addOption(
    option(
      "--write-docs [file]",
      `replace the generated kernel-suite section of a Markdown file, keeping the rest (default file: ${DEFAULT_BENCHMARKS_DOC})`,
      output,
    ),
  );
  kernels.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  kernels.addHelpText(
    "after",
    [
      "",
      "Exit status: 0 on success, 1 when a target fails, 2 for an invalid command line.",
      "",
      "Examples:",
      "  modular bench kernels --sizes 256,512 --targets webgpu,tfjs-webgpu",
      "  modular bench kernels --write-docs",
    ].join("\n"),
  );
  kernels.action((flags: BenchFlags) => onKernels(flags));
  defineSchemesCommand(bench, onSchemes);
  return bench;
}

function createProgram(
  io: CliIO,
  onTrain: (flags: TrainFlags) => Promise<void>,
  onBenchKernels: (flags: BenchFlags) => Promise<void>,
  onTransfer: (flags: TransferFlags) => Promise<void>,
  onBenchSchemes: (flags: SchemesFlags) => Promise<void>,
): Command {
  const program = new Command("modular")
    .description("Train deep networks without end-to-end backpropagation.")
    .version(packageJson.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "print this help")
    .helpCommand("help [command]", "print the help of a command")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // runCli prints every error itself, with the valid values.
      outputError: () => {},
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .addHelpText(
      "after",
      '\nRun "modular train --help" for the training methods, models and datasets, ' +
        '"modular transfer --help" for transferability estimation, ' +
        '"modular bench kernels --help" for the kernel benchmark, ' +
        'and "modular bench schemes --help" for every scheme against backprop.',
    );
  program.exitOverride(throwFrom(program));

  defineTrainCommand(program, io, onTrain);
  defineTransferCommand(program, onTransfer);
  defineBenchCommand(program, onBenchKernels, onBenchSchemes);
  return program;
}

/**
 * Returns the command the user typed to start the CLI, for the "Run ... --help"
 * hint: pnpm sets `npm_lifecycle_event` to the script name when it runs the
 * repository's `pnpm modular` script, and an installed bin is plain `modular`.
 */
function invokedCommand(env: Readonly<Record<string, string | undefined>>): string {
  return env.npm_lifecycle_event === "modular" ? "pnpm modular" : "modular";
}

/** Names of `command` and its parents below the program, e.g. ["bench", "kernels"]. */
function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent != null; current = current.parent) names.unshift(current.name());
  return names;
}

/**
 * Returns the command line as the user typed it, for benchmark reports. The
 * repository's `pnpm bench` script runs `bench kernels`, so those two words
 * are not repeated after it.
 */
function typedCommandLine(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): string {
  if (env.npm_lifecycle_event === "bench" && argv[0] === "bench" && argv[1] === "kernels") {
    return ["pnpm bench", ...argv.slice(2)].join(" ");
  }
  return [invokedCommand(env), ...argv].join(" ");
}

/** Formats a Commander parse error for stderr, with the valid commands or flags. */
function describeCommandLineError(failure: CommandLineError, invokedAs: string): string {
  const { commanderError: cause, command } = failure;
  const lines = [`modular: ${cause.message}`];
  if (cause.code === "commander.unknownCommand") {
    const commands = command.commands.map((sub) => sub.name()).sort();
    lines.push(`Valid commands: ${commands.join(", ")}.`);
  }
  if (cause.code === "commander.unknownOption") {
    const flags = command.options.map((option) => option.long ?? option.short).filter((flag) => flag !== undefined);
    lines.push(`Valid flags of "${command.name()}": ${[...flags, "--help"].join(", ")}.`);
  }
  const help = `${[invokedAs, ...commandPath(command)].join(" ")} --help`;
  lines.push(`Run "${help}" for usage.`);
  return `${lines.join("\n")}\n`;
}

/** Writes the error of a failed `runCli` and returns the exit status. */
function reportError(error: unknown, io: CliIO, json: boolean, debug: boolean, invokedAs: string): number {
  if (error instanceof CommandLineError) {
    // Commander raises for --help and --version too, with exit code 0.
    if (error.commanderError.exitCode === 0) return EXIT_SUCCESS;
    // `modular` without a command prints the help to stderr.
    if (error.commanderError.code !== "commander.help") io.stderr.write(describeCommandLineError(error, invokedAs));
    if (json) writeJsonError(io.stdout, { name: "UsageError", message: error.commanderError.message.replace(/^error: /, "") });
    return EXIT_USAGE;
  }

  if (json) {
    const name = error instanceof Error ? error.name : "Error";
    writeJsonError(io.stdout, { name, message: errorMessage(error) });
  }
  if (error instanceof UsageError) {
    io.stderr.write(`modular: error: ${error.message}\nRun "${invokedAs} ${error.command} --help" for usage.\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(formatRunError(error, debug));
  return EXIT_FAILURE;
}

/**
 * Runs `modular` with `argv` (the arguments after the program name) and
 * returns the exit status: 0 on success, 1 when the run fails, 2 for an
 * invalid command line. Output goes to `io.stdout` and `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const env = io.env ?? process.env;
  const debug = env.MODULAR_DEBUG === "1";
  let json = argv.includes("--json");

  const onTrain = async (flags: TrainFlags): Promise<void> => {
    const config = parseTrainFlags(flags);
    json = config.json;
    await runTrain(config, io.stdout);
  };
  const onBenchKernels = async (flags: BenchFlags): Promise<void> => {
    const config = parseBenchFlags(flags);
    json = config.json;
    await runBenchKernels(config, io.stdout, typedCommandLine(env, argv));
  };
  const onTransfer = async (flags: TransferFlags): Promise<void> => {
    const config = parseTransferFlags(flags);
    json = config.json;
    await runTransfer(config, io.stdout);
  };
  const onBenchSchemes = async (flags: SchemesFlags): Promise<void> => {
    const config = parseSchemesFlags(flags);
    json = config.json;
    await runBenchSchemes(config, io.stdout, typedCommandLine(env, argv));
  };
  const program = createProgram(io, onTrain, onBenchKernels, onTransfer, onBenchSchemes);
  const peers = definePeersCommand(program.commands.find((command) => command.name() === "bench")!, async (flags) => {
    await runBenchPeers(parsePeersFlags(flags), io.stdout, typedCommandLine(env, argv));
  });
  peers.exitOverride(throwFrom(peers));

  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_SUCCESS;
  } catch (error) {
    return reportError(error, io, json, debug, invokedCommand(env));
  }
}
