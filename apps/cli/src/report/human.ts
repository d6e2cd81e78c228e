/**
 * Human-readable output of `modular train`: a header line, one progress bar
 * per phase on a terminal, a line per epoch, and the test accuracy and wall
 * time at the end. When stdout is not a terminal (a pipe, a CI log), it
 * prints the same lines without bars. A phase of more than
 * `MAX_EPOCH_LINES` epochs prints about that many epoch lines.
 */
import type { EpochEndEvent, PhaseStartEvent, ResumeEvent, RunStartEvent, TrainingEvent } from "@modular/nn";
import { formatCount, formatLosses, formatPercent, formatSeconds } from "./format.js";
import { PhaseBar } from "./phase-bar.js";
import type { OutputStream, Reporter, RunDescription } from "./reporter.js";

/** Epoch lines printed per phase at most, about, for phases of many short epochs. */
const MAX_EPOCH_LINES = 30;

/** Indices listed in full up to this count; longer lists show their start and length. */
const MAX_LISTED_INDICES = 20;

function formatIndices(indices: readonly number[]): string {
  if (indices.length <= MAX_LISTED_INDICES) return indices.join(", ");
  return `${indices.slice(0, MAX_LISTED_INDICES).join(", ")}, … (${indices.length} in all; --json lists them all)`;
}

/** Describes where a resumed run continues, e.g. "step 4 of epoch 2 of phase 1". */
function resumePosition(event: ResumeEvent): string {
  const epoch = `epoch ${event.epoch} of phase ${event.phase}`;
  return event.stepsInEpoch === undefined ? epoch : `step ${event.stepsInEpoch} of ${epoch}`;
}

export class HumanReporter implements Reporter {
  private bar: PhaseBar | undefined;
  /** Phase count and the epochs of the current phase, for "epoch 3/15". */
  private phases = 0;
  private phaseEpochs = 0;

  /** `startedMs` is the `performance.now()` time the command started, for the wall time. */
  constructor(
    private readonly stdout: OutputStream,
    private readonly run: RunDescription,
    private readonly startedMs: number,
  ) {}

  onEvent(event: TrainingEvent): void {
    switch (event.event) {
      case "run-start":
        this.phases = event.phases.length;
        this.print(this.header(event));
        this.printSettings(event.checkpoints);
        break;
      case "resume":
        this.print(`Resumed from ${this.run.resumedFrom} after ${resumePosition(event)}`);
        break;
      case "interrupted":
        this.closeBar();
        this.print(
          `Stopped after step ${event.stepsInEpoch} of epoch ${event.epoch} of phase ${event.phase}` +
            (event.files.length > 0 ? `; checkpoint written to ${this.run.checkpointDir}` : ""),
        );
        break;
      case "phase-start":
        this.startPhase(event);
        break;
      case "step":
        this.bar?.update(event.step, { epoch: `${event.epoch}/${this.phaseEpochs}`, loss: formatLosses(event.losses) });
        break;
      case "epoch-end":
        if (this.printsEpoch(event.epoch)) this.print(this.epochLine(event));
        break;
      case "phase-end":
        this.closeBar();
        this.print(`Phase ${event.phase}/${this.phases} finished in ${formatSeconds(event.seconds)}`);
        break;
      case "evaluation":
        this.print(`Test accuracy: ${formatPercent(event.accuracy)}`);
        break;
      case "done":
        this.print(`Wall time: ${formatSeconds((performance.now() - this.startedMs) / 1000)}`);
        break;
    }
  }

  close(): void {
    this.closeBar();
  }

  private header(event: RunStartEvent): string {
    return [
      `Method ${event.method}`,
      `model ${this.run.modelSummary}, ${formatCount(event.parameters)} parameters` +
        (event.auxiliaryParameters > 0 ? ` (+${formatCount(event.auxiliaryParameters)} in the method's auxiliary modules)` : ""),
      `dataset ${this.run.dataset}, ${formatCount(event.trainSamples)} train / ${formatCount(event.testSamples)} test`,
      `backend ${event.backend}`,
      `seed ${this.run.seed}`,
    ].join(" | ");
  }

  /** Print the training settings that differ from the defaults on one line, if any does. */
  private printSettings(checkpoints: boolean): void {
    const parts: string[] = [];
    if (this.run.schedule !== "constant") parts.push(`schedule ${this.run.schedule}`);
    const optimizer = this.run.optimizer;
    if (optimizer.kind === "sgd" && (optimizer.momentum ?? 0) > 0) parts.push(`momentum ${optimizer.momentum}`);
    if (this.run.weightDecay > 0) parts.push(`weight decay ${this.run.weightDecay}`);
    if (this.run.maxGradNorm !== undefined) parts.push(`gradient norm clipped at ${this.run.maxGradNorm}`);
    if (this.run.normalize) parts.push("inputs normalised per channel");
    if (this.run.augment) parts.push("augmented: crop with padding 4, horizontal flip");
    const labels = this.run.labels;
    if (labels.kind === "pairwise") {
      parts.push(
        `pair labels only for the hidden modules; output layer fitted on ${labels.indices.length} labelled examples ` +
          `(${labels.shots} per class), training indices ${formatIndices(labels.indices)}`,
      );
    }
    if (parts.length > 0) this.print(parts.join(" | "));
    this.print(`Run directory: ${this.run.runDir}`);
    if (!checkpoints) this.print(`No checkpoints: ${this.run.method} cannot save its state, so Ctrl-C stops the run without one.`);
  }

  private startPhase(event: PhaseStartEvent): void {
    this.phaseEpochs = event.epochs;
    const epochs = event.epochs === 1 ? "1 epoch" : `${event.epochs} epochs`;
    this.print(`Phase ${event.phase}/${event.phases}: ${event.label} (${epochs} of ${event.stepsPerEpoch} steps)`);
    if (this.stdout.isTTY === true) {
      this.bar = new PhaseBar(this.stdout, `phase ${event.phase}/${event.phases}: ${event.label}`, event.stepsPerEpoch * event.epochs, event.epochs);
    }
  }

  /**
   * Return whether to print the line of `epoch`: every epoch of a phase of up to
   * `MAX_EPOCH_LINES` epochs, and evenly spaced ones plus the last of a
   * longer phase, such as an output layer fitted on a few labelled examples.
   */
  private printsEpoch(epoch: number): boolean {
    if (this.phaseEpochs <= MAX_EPOCH_LINES) return true;
    return epoch % Math.ceil(this.phaseEpochs / MAX_EPOCH_LINES) === 0 || epoch === this.phaseEpochs;
  }

  private epochLine(event: EpochEndEvent): string {
    const width = String(this.phaseEpochs).length;
    const epoch = `${String(event.epoch).padStart(width)}/${this.phaseEpochs}`;
    const stats = Object.entries(event.stats ?? {}).map(([name, value]) => `  ${name} ${Number(value.toPrecision(4))}`);
    return `  epoch ${epoch}  loss ${formatLosses(event.losses)}  ${formatSeconds(event.seconds)}${stats.join("")}`;
  }

  /** Prints a line, above the progress bar while one is drawn. */
  private print(line: string): void {
    if (this.bar === undefined) this.stdout.write(`${line}\n`);
    else this.bar.log(line);
  }

  private closeBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
