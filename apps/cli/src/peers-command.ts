/**
 * `modular bench peers`: runs the peers suite of `@modular/bench`, which
 * trains the same MLP 784-512-512-10 end to end with our backends,
 * TensorFlow.js (cpu, wasm) and PyTorch (nn.Linear, 1-wide conv1d). It
 * prints samples/s of a training step and test accuracy as ratios to our
 * `cpu` backend. With `--write-docs` it also replaces the generated peers
 * section of a Markdown file. The measuring happens in `@modular/bench`.
 */
import {
  DEFAULT_PEER_TARGETS,
  DEFAULT_PYTHON,
  describeMachine,
  formatPeerLine,
  formatPeersSection,
  formatPeersTable,
  PEER_TARGETS,
  PEERS_SECTION,
  resolvePeersSuiteOptions,
  runPeersSuite,
  writeBenchmarksSection,
} from "@modular/bench";
import { type Command, Option } from "commander";
import { addConfigOption, flagsWithConfig } from "./command-helpers.js";
import { DATASETS } from "./registry/datasets.js";
import { findEntry } from "./registry/entry.js";
import type { OutputStream } from "./report/reporter.js";
import { DEFAULT_PEERS_DOC, PEERS_DATASETS, type PeersConfig, type PeersFlags } from "./peers-options.js";

function option(flags: string, description: string, group: string, defaultValue?: string): Option {
  const created = new Option(flags, description).helpGroup(group);
  return defaultValue === undefined ? created : created.default(defaultValue, defaultValue);
}

/** Adds `peers` under the `bench` command and returns it; `onPeers` receives the parsed flags. */
export function definePeersCommand(bench: Command, onPeers: (flags: PeersFlags) => Promise<void>): Command {
  const peers = bench
    .command("peers")
    .description(
      "train the same MLP 784-512-512-10 end to end with our backends, TensorFlow.js 4.22.0 (cpu, wasm) and " +
        "Debian's PyTorch (nn.Linear and 1-wide conv1d through oneDNN), and report samples/s of a training step " +
        "and test accuracy as ratios to our cpu backend",
    );

  const suite = "Suite:";
  peers.addOption(option("--quick", "smoke test: 2,000 training and 1,000 test samples, 1 epoch, 3 timed repeats", suite));
  peers.addOption(
    option(
      "--targets <list>",
      `comma-separated targets from ${PEER_TARGETS.join(", ")}; cpu always runs, as the baseline of the ratios (default: ${DEFAULT_PEER_TARGETS.join(",")})`,
      suite,
    ),
  );
  peers.addOption(option("--dataset <name>", `data of the accuracy run: ${PEERS_DATASETS.join(", ")}`, suite, "mnist"));
  peers.addOption(option("--epochs <n>", "epochs of the accuracy run (default: 3; 1 with --quick)", suite));
  peers.addOption(option("--limit-train <n>", "train on the first n training samples (default: all; 2,000 with --quick)", suite));
  peers.addOption(option("--limit-test <n>", "evaluate on the first n test samples (default: all; 1,000 with --quick)", suite));
  peers.addOption(option("--batch-size <n>", "samples per training step", suite, "128"));
  peers.addOption(option("--lr <rate>", "Adam learning rate of every target", suite, "0.001"));
  peers.addOption(option("--seed <n>", "seed of the initial weights and the sample order, an integer from 0 to 4294967295", suite, "1"));
  peers.addOption(option("--python <path>", "Python 3 interpreter that has torch, for the torch-* targets", suite, DEFAULT_PYTHON));

  const timing = "Timing:";
  peers.addOption(option("--warmup <n>", "untimed training steps before timing (default: 2; 1 with --quick)", timing));
  peers.addOption(option("--repeats <n>", "timed repeats of the step; the report gives their median (default: 5; 3 with --quick)", timing));
  peers.addOption(option("--min-time <ms>", "minimum duration of one timed repeat in milliseconds (default: 200; 100 with --quick)", timing));

  const output = "Output:";
  peers.addOption(option("--json", "print the report as one JSON object, and nothing else on stdout", output));
  peers.addOption(
    option(
      "--write-docs [file]",
      `replace the generated peers section of a Markdown file, keeping the rest (default file: ${DEFAULT_PEERS_DOC})`,
      output,
    ),
  );
  addConfigOption(peers, output);
  peers.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  peers.addHelpText(
    "after",
    [
      "",
      "The torch-* targets need Debian's python3-torch (sudo apt-get install python3-torch); without it they are",
      "reported as unavailable. Debian's build runs nn.Linear on a reference BLAS, so read PyTorch's speed from",
      "torch-conv1d, whose matrix products run through oneDNN.",
      "",
      "Exit status: 0 on success, 1 when a target fails, 2 for an invalid command line.",
      "",
      "Examples:",
      "  modular bench peers --quick",
      "  nice -n 10 modular bench peers --write-docs",
    ].join("\n"),
  );
  peers.action(async (_flags: PeersFlags, command: Command) => onPeers((await flagsWithConfig<PeersFlags>(command)).flags));
  return peers;
}

/**
 * Runs the peers suite with `config`. `commandLine` is the command as the
 * user typed it, recorded in the JSON output and the Markdown section.
 */
export async function runBenchPeers(config: PeersConfig, stdout: OutputStream, commandLine: string): Promise<void> {
  const human = !config.json;
  const data = await findEntry(DATASETS, config.dataset, "dataset").load({ csvLabel: "label" });
  const { epochs } = resolvePeersSuiteOptions(config.suite);
  const datasetName = config.dataset === "mnist" ? "the embedded MNIST subset" : "Fashion-MNIST";
  const report = await runPeersSuite(data, datasetName, config.suite, {
    onStart: (target) => {
      if (human) stdout.write(`started ${target}\n`);
    },
    onResult: (result) => {
      if (human) stdout.write(`${formatPeerLine(result, epochs)}\n`);
    },
  });
  const machine = describeMachine();

  if (config.writeDocs !== undefined) {
    await writeBenchmarksSection(config.writeDocs, formatPeersSection(report, { command: commandLine, machine }), PEERS_SECTION);
  }

  if (config.json) {
    stdout.write(`${JSON.stringify({ ...report, command: commandLine, machine, wroteDocs: config.writeDocs ?? null })}\n`);
    return;
  }
  const lines = ["", formatPeersTable(report), "", `Machine: ${machine}.`];
  if (config.writeDocs !== undefined) lines.push(`Wrote the peers section of ${config.writeDocs}.`);
  stdout.write(`${lines.join("\n")}\n`);
}
