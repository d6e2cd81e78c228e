/**
 * The text that `modular train --help` prints after the flags: the
 * registries with their descriptions, and examples.
 */
import { listBackends } from "@modular/tensor";
import { DATASETS } from "./registry/datasets.js";
import { formatEntries } from "./registry/entry.js";
import { METHODS } from "./registry/methods.js";
import { MODELS } from "./registry/models.js";

/** Returns the help text after the flags, with descriptions wrapped to `width` columns. */
export function trainHelpAfterFlags(width: number): string {
  return [
    "",
    "Methods (--method):",
    formatEntries(METHODS, width),
    "",
    "Models (--model):",
    formatEntries(MODELS, width),
    "",
    "Datasets (--dataset):",
    formatEntries(DATASETS, width),
    "",
    `Backends (--backend): ${listBackends().sort().join(", ")}`,
    "",
    "Run directory: each run writes config.json (every setting, defaults included),",
    "metrics.jsonl (every event, one JSON object per line) and checkpoint/ into it.",
    "Ctrl-C stops the run after the current step and saves a checkpoint there;",
    "--resume <run-dir> continues it. A second Ctrl-C exits at once.",
    "",
    "Exit status: 0 on success, 1 when the run fails, 2 for an invalid command line,",
    "130 when stopped by Ctrl-C.",
    "",
    "Examples:",
    "  modular train --epochs 1 --hidden 64",
    "  modular train --method backprop --dataset fashion-mnist --epochs 5",
    "  modular train --method proxy/predsim --method-option beta=0.9 \\",
    "      --run-dir runs/predsim",
    "  modular train --resume runs/predsim",
    "  modular train --config runs/predsim/config.json --seed 2",
    "  modular train --method proxy/kernel --json > run.jsonl",
  ].join("\n");
}

/** Returns the help text of `modular compare` after the flags. */
export function compareHelpAfterFlags(): string {
  return [
    "",
    "Each method trains with the same flags and seed in its own run directory",
    "under --run-dir, backprop first. A --config file may give per-method options:",
    '  "methodOptions": {"proxy/predsim": {"beta": 0.9}}',
    "The table's last column is the test accuracy minus backprop's, in percentage",
    "points (pp).",
    "",
    "Exit status: 0 on success, 1 when a run fails, 2 for an invalid command line,",
    "130 when stopped by Ctrl-C.",
    "",
    "Examples:",
    "  modular compare --methods proxy/kernel,proxy/dgl --epochs 3 --limit-train 2000",
    "  modular compare --methods all --dataset fashion-mnist --json",
  ].join("\n");
}
