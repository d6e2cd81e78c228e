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
    "Exit status: 0 on success, 1 when the run fails, 2 for an invalid command line.",
    "",
    "Examples:",
    "  modular train --epochs 1 --hidden 64",
    "  modular train --method backprop --dataset fashion-mnist --epochs 5",
    "  modular train --method proxy/kernel --json > run.jsonl",
  ].join("\n");
}
