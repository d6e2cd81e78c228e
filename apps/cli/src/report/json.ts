/**
 * `--json` output: one JSON object per line for every runner event, and
 * nothing else on stdout. `run-start` also carries the run's settings, and
 * `done` also carries the backend, so the last line alone identifies a run.
 */
import type { TrainingEvent } from "@modular/nn";
import type { OutputStream, Reporter, RunDescription } from "./reporter.js";

export class JsonReporter implements Reporter {
  private backend: string | undefined;

  constructor(
    private readonly stdout: OutputStream,
    private readonly run: RunDescription,
  ) {}

  onEvent(event: TrainingEvent): void {
    if (event.event === "run-start") {
      this.backend = event.backend;
      this.writeLine({
        ...event,
        model: this.run.model,
        hidden: this.run.hidden,
        dataset: this.run.dataset,
        epochs: this.run.epochs,
        batchSize: this.run.batchSize,
        optimizer: this.run.optimizer.kind,
        lr: this.run.optimizer.lr,
        momentum: this.run.optimizer.kind === "sgd" ? (this.run.optimizer.momentum ?? 0) : null,
        seed: this.run.seed,
        logEvery: this.run.logEvery,
        schedule: this.run.schedule,
        weightDecay: this.run.weightDecay,
        maxGradNorm: this.run.maxGradNorm ?? null,
        normalize: this.run.normalize,
        augment: this.run.augment,
        labels: this.run.labels,
        checkpointDir: this.run.checkpointDir,
        runDir: this.run.runDir,
        resumedFrom: this.run.resumedFrom ?? null,
      });
    } else if (event.event === "done") {
      this.writeLine({ ...event, backend: this.backend });
    } else {
      this.writeLine(event);
    }
  }

  close(): void {}

  private writeLine(record: object): void {
    this.stdout.write(`${JSON.stringify(record)}\n`);
  }
}

/** Writes the line that ends `--json` output of a failed run. */
export function writeJsonError(stdout: OutputStream, error: { name: string; message: string }): void {
  stdout.write(`${JSON.stringify({ event: "error", error: error.name, message: error.message })}\n`);
}
