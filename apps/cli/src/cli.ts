/**
 * The `modular` command line: Commander parses the arguments, the
 * `*-options.ts` files validate them, and the `*-command.ts` files run
 * them. `runCli` returns the exit status instead of exiting, so tests call
 * it in the same process.
 */
import { Command, Option } from "commander";
import { DEFAULT_KERNEL_SUITE_OPTIONS, FULL_WORKLOADS, QUICK_WORKLOADS, summarizeWorkload, TARGETS } from "@modular/bench";
import { DEFAULT_FASHION_MNIST_DIR } from "@modular/datasets";
import { listBackends } from "@modular/tensor";
import packageJson from "../package.json" with { type: "json" };
import { addConfigOption, CommandLineError, flagsWithConfig, option, throwFrom } from "./command-helpers.js";
import { defineCompareCommand, runCompare } from "./compare-command.js";
import {
  errorMessage,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_SUCCESS,
  EXIT_USAGE,
  formatRunError,
  RunInterruptedError,
  UsageError,
} from "./errors.js";
import { defineEvalCommand, runEval } from "./eval-command.js";
import { trainHelpAfterFlags } from "./help.js";
import { type BenchFlags, DEFAULT_BENCHMARKS_DOC, parseBenchFlags } from "./bench-options.js";
import { runBenchKernels } from "./bench-command.js";
import { runBenchSchemes } from "./schemes-command.js";
import { definePeersCommand, runBenchPeers } from "./peers-command.js";
import { parsePeersFlags } from "./peers-options.js";
import { DEFAULT_RESULTS_DOC, parseSchemesFlags, type SchemesFlags } from "./schemes-options.js";
import { defineInfoCommand, runInfo } from "./info-command.js";
import { defineMethodsCommand, runMethods } from "./methods-command.js";
import { parseTrainFlags } from "./options.js";
import { writeJsonError } from "./report/json.js";
import type { OutputStream } from "./report/reporter.js";
import { resolveTrainFlags, runTrain } from "./train-command.js";
import { addTrainingFlags, collect } from "./train-flags.js";
import { runTransfer } from "./transfer-command.js";
import { parseTransferFlags, type TransferFlags } from "./transfer-options.js";

/** Output streams of `runCli`, and the environment it reads `MODULAR_DEBUG` from. */
export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: `train` and `compare` stop after the current step and save a checkpoint. */
  readonly signal?: AbortSignal;
}

/** Runs a subcommand from its parsed `Command`, and returns whether its output is JSON (for error reporting). */
type Handler = (command: Command) => Promise<boolean>;

function defineTrainCommand(program: Command, io: CliIO, onTrain: (command: Command) => Promise<void>): Command {
  const train = program
    .command("train")
    .description("train a model with one training method, then report its test accuracy; Ctrl-C stops it and saves a checkpoint");
  train.exitOverride(throwFrom(train));
  addTrainingFlags(train, "train");
  train.addHelpText("after", () => trainHelpAfterFlags(io.stdout.columns ?? 80));
  train.action(async (_flags, command: Command) => onTrain(command));
  return train;
}

function defineTransferCommand(program: Command, onTransfer: (command: Command) => Promise<void>): Command {
  const transfer = program
    .command("transfer")
    .description(
      "score how well trained bodies (every training module of a checkpoint but the last) transfer to a dataset, " +
        "by their kernel proxy loss on its batches, and rank them",
    );
  transfer.exitOverride(throwFrom(transfer));

  const bodies = "Bodies and target:";
  transfer.addOption(
    option("--body <dir>", "run directory of `modular train`, or a checkpoint folder; repeat the flag for several bodies", bodies).argParser(collect),
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
  addConfigOption(transfer, scoring);

  const output = "Output:";
  transfer.addOption(option("--json", "print one JSON object per line (score, fit, ranking), and nothing else on stdout", output));
  transfer.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  transfer.addHelpText(
    "after",
    [
      "",
      "The score is the mean kernel proxy loss (Duan et al. 2021) of the body's output",
      "on the target's batches: the lower it is, the better the body is predicted to",
      "transfer.",
      "",
      "Exit status: 0 on success, 1 when a run fails (e.g. a malformed checkpoint),",
      "2 for an invalid command line.",
      "",
      "Example:",
      "  modular transfer --body runs/mnist --body runs/random \\",
      "      --dataset fashion-mnist --fit-epochs 1",
    ].join("\n"),
  );
  transfer.action(async (_flags, command: Command) => onTransfer(command));
  return transfer;
}

function defineSchemesCommand(bench: Command, onSchemes: (command: Command) => Promise<void>): void {
  const schemes = bench
    .command("schemes")
    .description(
      "train every registered scheme and backprop on embedded MNIST mlp, Fashion-MNIST mlp and cnn, 3 seeds each, " +
        "and report test accuracy, time and peak memory with plots; also the peak memory of VGG-8B in 4 modules",
    );
  schemes.exitOverride(throwFrom(schemes));

  const suite = "Suite:";
  schemes.addOption(
    option(
      "--quick",
      `a smoke test, seed 1: ${QUICK_WORKLOADS.map((workload) => `${workload.id} (${summarizeWorkload(workload)})`).join("; ")}`,
      suite,
    ),
  );
  schemes.addOption(
    option(
      "--workloads <list>",
      `comma-separated workloads (default: all): ${FULL_WORKLOADS.map((workload) => `${workload.id} (${summarizeWorkload(workload)})`).join("; ")}. ` +
        "fashion-vgg-q4 measures the peak memory of VGG-8B cut into 4 modules, for backprop, proxy/kernel, proxy/dgl and proxy/dgl-async",
      suite,
    ),
  );
  schemes.addOption(option("--schemes <list>", "comma-separated schemes, as for train --method; backprop runs too unless --without-backprop (default: all)", suite));
  schemes.addOption(
    option(
      "--without-backprop",
      "leave out backprop unless --schemes names it: for one part of a suite split by scheme, whose backprop runs come from another part (see --from)",
      suite,
    ),
  );
  schemes.addOption(option("--seeds <list>", "comma-separated seeds of the weights and shuffles (default: 1,2,3; 1 with --quick)", suite));
  const backends = listBackends().sort().join(", ");
  schemes.addOption(option("--backend <name>", `tensor backend: ${backends}`, suite, "cpu"));
  schemes.addOption(
    option(
      "--from <list>",
      "comma-separated schemes.json files (or their folders) of earlier runs: merge them into one report instead of training, " +
        "e.g. the parts of a suite split by --seeds or --workloads",
      suite,
    ),
  );

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
  addConfigOption(schemes, output);
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
      "  modular bench schemes --seeds 1 --out part1 & modular bench schemes --seeds 2 --out part2; wait",
      "  modular bench schemes --from part1,part2 --write-docs",
    ].join("\n"),
  );
  schemes.action(async (_flags, command: Command) => onSchemes(command));
}

function defineBenchCommand(
  program: Command,
  onKernels: (command: Command) => Promise<void>,
  onSchemes: (command: Command) => Promise<void>,
): Command {
  const bench = program.command("bench").description("measure speed, memory and accuracy: run a benchmark suite of @modular/bench");
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
  addConfigOption(kernels, output);
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
  kernels.action(async (_flags, command: Command) => onKernels(command));
  defineSchemesCommand(bench, onSchemes);
  return bench;
}

/** The subcommands' handlers, by command name. */
interface Handlers {
  readonly train: (command: Command) => Promise<void>;
  readonly compare: (command: Command) => Promise<void>;
  readonly eval: (command: Command) => Promise<void>;
  readonly methods: (command: Command) => Promise<void>;
  readonly info: (command: Command) => Promise<void>;
  readonly transfer: (command: Command) => Promise<void>;
  readonly benchKernels: (command: Command) => Promise<void>;
  readonly benchSchemes: (command: Command) => Promise<void>;
}

function createProgram(io: CliIO, handlers: Handlers): Command {
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
      '\nRun "modular <command> --help" for the flags of a command: "modular train --help" lists the training methods, ' +
        "models and datasets. Every command reads flag values from a JSON file with --config <file.json>.",
    );
  program.exitOverride(throwFrom(program));

  defineTrainCommand(program, io, handlers.train);
  defineCompareCommand(program, handlers.compare);
  defineEvalCommand(program, handlers.eval);
  defineMethodsCommand(program, handlers.methods);
  defineInfoCommand(program, handlers.info);
  defineTransferCommand(program, handlers.transfer);
  defineBenchCommand(program, handlers.benchKernels, handlers.benchSchemes);
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
  if (error instanceof RunInterruptedError) {
    const { command, dir } = error.resume;
    // A stopped compare resumes even without a checkpoint: it trains the stopped method again.
    const resume = error.cause.checkpointWritten || command === "compare" ? ` Resume with: ${invokedAs} ${command} --resume ${dir}` : "";
    io.stderr.write(`modular: ${error.message}${resume}\n`);
    return EXIT_INTERRUPTED;
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

  const trainIO = { stdout: io.stdout, env, ...(io.signal === undefined ? {} : { signal: io.signal }) };
  // Each handler records whether its output is JSON, so that an error is reported as a JSON line too.
  const handle =
    (handler: Handler) =>
    async (command: Command): Promise<void> => {
      json = command.opts().json === true;
      json = await handler(command);
    };
  const program = createProgram(io, {
    train: handle(async (command) => {
      const { flags, methodOptions } = await resolveTrainFlags(command);
      const config = parseTrainFlags(flags, methodOptions);
      await runTrain(config, trainIO);
      return config.json;
    }),
    compare: handle((command) => runCompare(command, trainIO)),
    eval: handle((command) => runEval(command, io.stdout)),
    methods: handle((command) => runMethods(command, io.stdout)),
    info: handle((command) => runInfo(command, io.stdout)),
    transfer: handle(async (command) => {
      const { flags } = await flagsWithConfig<TransferFlags>(command, { repeatableKeys: ["body"] });
      const config = parseTransferFlags(flags);
      await runTransfer(config, io.stdout);
      return config.json;
    }),
    benchKernels: handle(async (command) => {
      const { flags } = await flagsWithConfig<BenchFlags>(command);
      const config = parseBenchFlags(flags);
      await runBenchKernels(config, io.stdout, typedCommandLine(env, argv));
      return config.json;
    }),
    benchSchemes: handle(async (command) => {
      const { flags } = await flagsWithConfig<SchemesFlags>(command);
      const config = parseSchemesFlags(flags);
      await runBenchSchemes(config, io.stdout, typedCommandLine(env, argv));
      return config.json;
    }),
  });
  const peers = definePeersCommand(program.commands.find((command) => command.name() === "bench")!, async (flags) => {
    json = flags.json === true;
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
