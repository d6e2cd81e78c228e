/**
 * The progress bar of one training phase on a terminal, drawn with
 * `cli-progress`: phase number and label, epoch, steps done of the phase's
 * total, the latest interval loss and the phase's ETA. Lines logged while the bar is
 * active print above it.
 */
import cliProgress from "cli-progress";
import { formatDuration } from "./format.js";
import type { OutputStream } from "./reporter.js";

/** Values shown next to the bar, updated with each `step` event. */
interface BarPayload {
  /** "3/15" */
  readonly epoch: string;
  /** The latest interval loss, formatted. */
  readonly loss: string;
}

/** Widths of the bar itself: it shrinks to the minimum before the label is shortened. */
const MAX_BAR_WIDTH = 24;
const MIN_BAR_WIDTH = 10;
const FILLED = "\u2588";
const EMPTY = "\u2591";

/**
 * Formats one bar line to fit in `maxWidth` columns: the bar shrinks first,
 * then the label is shortened with "...", and on very narrow terminals it is
 * dropped.
 */
function formatBarLine(label: string, params: cliProgress.Params, payload: BarPayload): string {
  // cli-progress reports an ETA it cannot estimate yet as the string "NULL" or "INF".
  const eta = typeof params.eta === "number" && params.value > 0 ? formatDuration(params.eta) : "-";
  const counts = `${params.value}/${params.total} | loss ${payload.loss} | ETA ${eta}`;
  const epoch = `epoch ${payload.epoch}`;
  const fixed = `${label} | ${epoch}  ${counts}`.length;

  const limit = params.maxWidth - 1;
  const barWidth = Math.min(MAX_BAR_WIDTH, Math.max(MIN_BAR_WIDTH, limit - fixed));
  const filled = Math.round(params.progress * barWidth);
  const bar = FILLED.repeat(filled) + EMPTY.repeat(barWidth - filled);
  const rest = `${epoch} ${bar} ${counts}`;

  const room = limit - rest.length - " | ".length;
  if (room >= label.length) return `${label} | ${rest}`;
  if (room >= 12) return `${label.slice(0, room - 3)}... | ${rest}`;
  return rest;
}

export class PhaseBar {
  private readonly bars: cliProgress.MultiBar;
  private readonly bar: cliProgress.SingleBar;

  constructor(stream: OutputStream, label: string, totalSteps: number, epochs: number) {
    this.bars = new cliProgress.MultiBar({
      stream: stream as NodeJS.WritableStream,
      format: (_options, params, payload: BarPayload) => formatBarLine(label, params, payload),
      // Cut the line at the terminal width rather than switch line wrapping
      // off, because the switch would outlive an interrupted run.
      linewrap: true,
      clearOnComplete: true,
      fps: 10,
    });
    const payload: BarPayload = { epoch: `1/${epochs}`, loss: "-" };
    this.bar = this.bars.create(totalSteps, 0, payload);
  }

  update(step: number, payload: BarPayload): void {
    this.bar.update(step, payload);
  }

  /** Prints `line` above the bar at the next redraw. */
  log(line: string): void {
    this.bars.log(`${line}\n`);
  }

  /** Prints the pending log lines, then removes the bar from the screen. */
  stop(): void {
    this.bars.update();
    this.bars.stop();
  }
}
