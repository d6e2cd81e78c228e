/**
 * The flags of `modular train`, which `modular compare` shares except those
 * that choose one method or one checkpoint. Each description states what the
 * flag sets and its unit.
 */
import { Option, type Command } from "commander";
import { DEFAULT_FASHION_MNIST_DIR } from "@modular/datasets";
import { OPTIMIZER_KINDS } from "@modular/nn";
import { listBackends } from "@modular/tensor";
import { addConfigOption, option } from "./command-helpers.js";
import { LABEL_KINDS, SCHEDULE_NAMES } from "./options.js";
import { DEFAULT_RUNS_FOLDER } from "./run-dir.js";

/** Collects the values of a repeatable flag into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds the model, data, training, checkpoint and output flags of `train` (or of `compare`) to `command`. */
export function addTrainingFlags(command: Command, kind: "train" | "compare"): void {
  const model = "Model and method:";
  if (kind === "train") {
    command.addOption(option("--method <name>", "training method, see Methods below", model, "proxy/kernel"));
    command.addOption(
      option(
        "--method-option <name=value>",
        "set one option of the method, e.g. beta=0.5; repeat the flag for several (the options of each method: `modular methods`)",
        model,
      ).argParser(collect),
    );
  }
  command.addOption(option("--model <name>", "model architecture, see Models below", model, "mlp"));
  command.addOption(
    option("--hidden <widths>", "comma-separated widths of the hidden fully connected layers, in units (default: the model's, see Models)", model),
  );
  command.addOption(option("--width <factor>", "factor on every width of vgg and resnet, e.g. 0.25 (default: 1)", model));
  command.addOption(
    option(
      "--split <where>",
      "training modules: every-block, before-output, or the comma-separated block names each module ends with, e.g. hidden1 (default: the method's, see Methods)",
      model,
    ),
  );

  const data = "Data:";
  command.addOption(option("--dataset <name>", "dataset, see Datasets below", data, "mnist"));
  command.addOption(option("--data-dir <dir>", `folder of a dataset read from disk (fashion-mnist default: ${DEFAULT_FASHION_MNIST_DIR})`, data));
  command.addOption(option("--csv-train <file>", "CSV file of the training split, for --dataset csv", data));
  command.addOption(option("--csv-test <file>", "CSV file of the test split, for --dataset csv", data));
  command.addOption(option("--csv-label <column>", "label column of the CSV files: a header name or an index from 0", data, "label"));
  command.addOption(option("--limit-train <n>", "train on the first n training samples (default: all)", data));
  command.addOption(option("--limit-test <n>", "evaluate on the first n test samples (default: all)", data));
  command.addOption(option("--normalize", "normalise each channel with the training split's mean and standard deviation", data));
  command.addOption(
    option("--augment", "augment training images with random shifts of up to 4 pixels and left-right flips (for natural images such as CIFAR)", data),
  );
  command.addOption(
    option(
      "--labels <kind>",
      `labels the hidden modules train from: ${LABEL_KINDS.join(", ")} (pair labels 1{yi = yj} only; the output layer then fits on --shots examples per class)`,
      data,
      "full",
    ),
  );
  command.addOption(option("--shots <k>", "labelled examples per class for the output layer, with --labels pairwise (default: 1)", data));

  const training = "Training:";
  command.addOption(option("--epochs <n>", "epochs of each training phase (default: mlp 15, cnn 8, vgg 10, resnet 10)", training));
  command.addOption(option("--batch-size <n>", "samples per mini-batch", training, "128"));
  command.addOption(option("--lr <rate>", "learning rate of the optimizer, per step", training, "0.001"));
  const optimizers = [...OPTIMIZER_KINDS].sort().join(", ");
  command.addOption(option("--optimizer <name>", `optimizer: ${optimizers}`, training, "adam"));
  command.addOption(option("--seed <n>", "seed of the initial weights and the shuffles, an integer from 0 to 4294967295", training, "1"));
  const backends = listBackends().sort().join(", ");
  command.addOption(option("--backend <name>", `tensor backend: ${backends}`, training, "cpu"));
  command.addOption(option("--schedule <name>", `learning-rate schedule per epoch: ${SCHEDULE_NAMES.join(", ")}`, training, "constant"));
  command.addOption(option("--warmup <n>", "epochs of linear warm-up before the schedule: epoch k trains at k/(n+1) of --lr", training, "0"));
  command.addOption(option("--lr-step <epochs>", "epochs between decays of --schedule step; required with it, no default", training));
  command.addOption(option("--lr-gamma <factor>", "factor of each decay of --schedule step", training, "0.1"));
  command.addOption(option("--weight-decay <lambda>", "L2 penalty added to every gradient as lambda times the weight", training, "0"));
  command.addOption(option("--momentum <mu>", "momentum of --optimizer sgd, from 0 to below 1 (default: 0)", training));
  command.addOption(option("--max-grad-norm <norm>", "clip each step's gradients to this global L2 norm (default: no clipping)", training));

  const runs = "Run directory and checkpoints:";
  const runsFolder = `$MODULAR_RUNS_DIR, or ${DEFAULT_RUNS_FOLDER} in the current folder`;
  command.addOption(
    option(
      "--run-dir <dir>",
      kind === "train"
        ? `folder of the run's config.json, metrics.jsonl (every event) and checkpoint/ (default: <runs>/<method>-<yyyymmdd-hhmmss>, where <runs> is ${runsFolder})`
        : `folder with one run directory per method, and compare.json (default: <runs>/compare-<yyyymmdd-hhmmss>, where <runs> is ${runsFolder})`,
      runs,
    ),
  );
  command.addOption(option("--checkpoint-every <epochs>", "epochs between checkpoints; the last epoch of each phase is always saved", runs, "1"));
  if (kind === "train") {
    command.addOption(option("--checkpoint-dir <dir>", "write the checkpoints here instead of the run directory's checkpoint/ folder", runs));
    command.addOption(
      option("--resume <run-dir>", "continue the run saved in this run directory, with its config.json; only --json and --log-every may be added", runs),
    );
  } else {
    command.addOption(
      option(
        "--resume <dir>",
        "continue the compare saved in this folder, with its compare-config.json: finished methods are read from compare.json, the stopped one continues from its checkpoint; only --json and --log-every may be added",
        runs,
      ),
    );
  }
  addConfigOption(command, runs, kind === "train" ? '"methodOptions": {name: value}' : '"methodOptions": {method: {name: value}}');

  const output = "Output:";
  command.addOption(
    option(
      "--json",
      kind === "train"
        ? "print one JSON object per line for every training event, and nothing else on stdout"
        : "print one JSON object per method with its results, and nothing else on stdout",
      output,
    ),
  );
  command.addOption(option("--log-every <steps>", "steps between loss readbacks and progress updates", output, "20"));
  command.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
}
