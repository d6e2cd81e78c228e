/**
 * `modular eval`: loads every training module of a checkpoint (a run
 * directory of `modular train`, or its checkpoint folder) and reports the
 * model's accuracy on a dataset's test split. With a run directory, the
 * dataset and its preprocessing default to those of the run.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { normalizeSplit } from "@modular/datasets";
import { evaluate, loadModule, type Module } from "@modular/nn";
import { getBackend, setBackend } from "@modular/tensor";
import { readCheckpointModel } from "./checkpoint-body.js";
import { addConfigOption, flagsWithConfig, option, throwFrom } from "./command-helpers.js";
import { UsageError } from "./errors.js";
import { parseBackend, parseData, parseInteger, parseLimit } from "./options.js";
import { formatPercent } from "./report/format.js";
import type { OutputStream } from "./report/reporter.js";
import { DATASETS } from "./registry/datasets.js";
import { findEntry } from "./registry/entry.js";
import { checkpointFolder, CONFIG_FILE, readRunConfig } from "./run-dir.js";
import { firstSamples } from "./train-command.js";

export interface EvalFlags {
  readonly checkpoint?: string;
  readonly dataset?: string;
  readonly dataDir?: string;
  readonly csvTrain?: string;
  readonly csvTest?: string;
  readonly csvLabel?: string;
  readonly limitTrain?: string;
  readonly limitTest?: string;
  readonly normalize?: boolean;
  readonly batchSize: string;
  readonly backend: string;
  readonly json?: boolean;
  readonly config?: string;
  /** Block names after which the run's training modules end, from its config.json; not a flag. */
  readonly splitAfter?: readonly string[];
}

export function defineEvalCommand(program: Command, onEval: (command: Command) => Promise<void>): Command {
  const evalCommand = program
    .command("eval")
    .description("evaluate a trained model (a run directory or checkpoint folder) on a dataset's test split and print its accuracy");
  evalCommand.exitOverride(throwFrom(evalCommand));

  const model = "Model and data:";
  evalCommand.addOption(option("--checkpoint <dir>", "run directory of `modular train`, or a checkpoint folder (required)", model));
  evalCommand.addOption(option("--dataset <name>", "dataset whose test split is evaluated (default: the run's, or mnist)", model));
  evalCommand.addOption(option("--data-dir <dir>", "folder of a dataset read from disk (default: the run's)", model));
  evalCommand.addOption(option("--csv-train <file>", "CSV file of the training split, for --dataset csv", model));
  evalCommand.addOption(option("--csv-test <file>", "CSV file of the test split, for --dataset csv", model));
  evalCommand.addOption(option("--csv-label <column>", "label column of the CSV files: a header name or an index from 0 (default: label)", model));
  evalCommand.addOption(option("--limit-test <n>", "evaluate on the first n test samples (default: all)", model));
  evalCommand.addOption(
    option("--normalize", "normalise each channel with the statistics of the training split (default: as the run did, with its --limit-train)", model),
  );
  evalCommand.addOption(option("--limit-train <n>", "training samples the --normalize statistics come from (default: the run's, or all)", model));

  const settings = "Settings:";
  evalCommand.addOption(option("--batch-size <n>", "samples per evaluation batch; changes speed and memory, not the result", settings, "1000"));
  evalCommand.addOption(option("--backend <name>", "tensor backend", settings, "cpu"));
  addConfigOption(evalCommand, settings);

  const output = "Output:";
  evalCommand.addOption(option("--json", "print the result as one JSON object, and nothing else on stdout", output));
  evalCommand.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  evalCommand.addHelpText(
    "after",
    [
      "",
      "Exit status: 0 on success, 1 when the checkpoint or data cannot be read,",
      "2 for an invalid command line.",
      "",
      "Examples:",
      "  modular eval --checkpoint runs/proxy-kernel-20261205-042300",
      "  modular eval --checkpoint runs/backprop-20261205-042300 --limit-test 500",
    ].join("\n"),
  );
  evalCommand.action(async (_flags, command: Command) => onEval(command));
  return evalCommand;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Reads the data settings of a run directory's config.json as `eval` flags, or none for a bare checkpoint folder. */
async function runDataSettings(dir: string): Promise<Partial<EvalFlags>> {
  if (!(await exists(join(dir, CONFIG_FILE)))) return {};
  const saved = await readRunConfig(dir, "eval");
  const text = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
  return {
    dataset: text(saved.dataset),
    dataDir: text(saved.dataDir),
    csvTrain: text(saved.csvTrain),
    csvTest: text(saved.csvTest),
    csvLabel: text(saved.csvLabel),
    limitTrain: text(saved.limitTrain),
    normalize: saved.normalize === true,
    ...(typeof saved.split === "string" && saved.split !== "before-output" && saved.split !== "every-block"
      ? { splitAfter: saved.split.split(",") }
      : {}),
  };
}

/** Runs `modular eval`. Returns whether the output is JSON, for error reporting. */
export async function runEval(command: Command, stdout: OutputStream): Promise<boolean> {
  const { flags: requested } = await flagsWithConfig<EvalFlags>(command);
  if (requested.checkpoint === undefined) {
    throw new UsageError("modular eval needs --checkpoint: a run directory of `modular train` or a checkpoint folder.", "eval");
  }
  const typed = Object.fromEntries(Object.entries(requested).filter(([, value]) => value !== undefined));
  const run = await runDataSettings(requested.checkpoint);
  const flags: EvalFlags = { ...run, ...typed } as EvalFlags;

  const dataset = findEntry(DATASETS, flags.dataset ?? "mnist", "dataset");
  const location = parseData({ ...flags, csvLabel: flags.csvLabel ?? "label" }, dataset);
  const limitTest = parseLimit("--limit-test", flags.limitTest);
  const limitTrain = parseLimit("--limit-train", flags.limitTrain);
  const batchSize = parseInteger("--batch-size", flags.batchSize, 1);
  await setBackend(parseBackend(flags.backend));

  const folder = await checkpointFolder(requested.checkpoint);
  const { model, modules, files } = await readCheckpointModel(folder, flags.splitAfter);
  try {
    modules.forEach((module: Module, i: number) => {
      const name = `module-${i + 1}.safetensors`;
      loadModule(module, files.get(name)!, join(folder, name));
    });
    const loaded = await dataset.load(location);
    const limited = {
      train: firstSamples(loaded.train, limitTrain, "--limit-train", `the ${dataset.name} training split`),
      test: firstSamples(loaded.test, limitTest, "--limit-test", `the ${dataset.name} test split`),
    };
    const test = flags.normalize === true ? normalizeSplit(limited).test : limited.test;
    const result = await evaluate(modules, test, batchSize);
    const record = {
      checkpoint: folder,
      dataset: dataset.name,
      samples: result.samples,
      accuracy: result.accuracy,
      backend: getBackend().name,
    };
    if (flags.json === true) stdout.write(`${JSON.stringify(record)}\n`);
    else stdout.write(`Checkpoint ${folder} | dataset ${dataset.name}, ${result.samples} test samples | backend ${record.backend}\nTest accuracy: ${formatPercent(result.accuracy)}\n`);
  } finally {
    model.dispose();
  }
  return flags.json === true;
}
