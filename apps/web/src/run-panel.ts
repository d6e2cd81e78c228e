/**
 * The panel of one run: its settings, the progress of each phase (which
 * modules it trains, epoch, step and the latest loss of each module), and a
 * live loss chart, all drawn from the runner's progress events.
 */
import type { TrainingEvent } from "@modular/nn";
import { LineChart } from "./charts.js";
import type { RunConfig } from "./protocol.js";

interface PhaseRow {
  readonly status: HTMLTableCellElement;
  readonly epoch: HTMLTableCellElement;
  readonly progress: HTMLProgressElement;
  readonly losses: HTMLTableCellElement;
  epochs: number;
}

export class RunPanel {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly phaseBody: HTMLTableSectionElement;
  private readonly lossChart: LineChart;
  private readonly rows: PhaseRow[] = [];
  private backendText = "";
  private dataText = "";
  /** Steps of the phases before the current one, so the loss chart's x axis counts steps over the whole run. */
  private stepOffset = 0;

  constructor(parent: HTMLElement, readonly config: RunConfig) {
    this.element = document.createElement("article");
    this.element.className = "run";
    this.element.dataset.scheme = config.scheme;
    this.heading = append(this.element, "h2", `${config.scheme}`);
    this.summary = append(this.element, "p", `${config.model}, starting…`);
    this.summary.className = "note";

    const table = append(this.element, "table");
    table.className = "phases";
    const head = append(append(table, "thead"), "tr");
    for (const title of ["phase", "status", "epoch", "steps", "latest loss per module"]) append(head, "th", title);
    this.phaseBody = append(table, "tbody");

    const chart = append(this.element, "div");
    chart.className = "chart";
    this.lossChart = new LineChart(chart, { title: `${config.scheme}: training loss`, xLabel: "step", yLabel: "loss" });
    parent.append(this.element);
  }

  showBackend(name: string, adapter: string): void {
    this.backendText = adapter === "" ? name : `${name} (${adapter})`;
    this.renderSummary();
  }

  showData(name: string, trainSamples: number, testSamples: number): void {
    this.dataText = `${name}: ${trainSamples.toLocaleString("en")} training and ${testSamples.toLocaleString("en")} test samples`;
    this.renderSummary();
  }

  private renderSummary(): void {
    const parts = [`${this.config.model} on ${this.backendText || "…"}`, this.dataText, `batch ${this.config.batchSize}`, `${this.config.epochs} epoch(s) per phase`];
    this.summary.textContent = parts.filter((part) => part !== "").join(", ");
  }

  /** Updates the progress table and the loss chart from one runner event. */
  handle(event: TrainingEvent): void {
    switch (event.event) {
      case "run-start":
        this.heading.textContent = `${event.method}: ${event.modules} training module(s), ${event.parameters.toLocaleString("en")} parameters (+${event.auxiliaryParameters.toLocaleString("en")} auxiliary)`;
        for (const [index, phase] of event.phases.entries()) this.addPhaseRow(index + 1, phase.label, phase.epochs);
        break;
      case "phase-start": {
        const row = this.rows[event.phase - 1]!;
        row.status.textContent = "training";
        row.progress.max = event.epochs * event.stepsPerEpoch;
        row.epochs = event.epochs;
        break;
      }
      case "step": {
        const row = this.rows[event.phase - 1]!;
        row.epoch.textContent = `${event.epoch}/${row.epochs}`;
        row.progress.max = event.totalSteps;
        row.progress.value = event.step;
        row.losses.textContent = formatLosses(event.losses);
        for (const [name, value] of Object.entries(event.losses)) {
          this.lossChart.add(name, this.stepOffset + row.progress.value, value);
        }
        break;
      }
      case "epoch-end": {
        const row = this.rows[event.phase - 1]!;
        row.losses.textContent = formatLosses(event.losses);
        if (event.stats !== undefined) row.losses.textContent += ` · ${formatLosses(event.stats)}`;
        break;
      }
      case "phase-end": {
        const row = this.rows[event.phase - 1]!;
        row.status.textContent = `done in ${event.seconds.toFixed(1)} s`;
        row.progress.value = row.progress.max;
        this.stepOffset += row.progress.max;
        break;
      }
      default:
        break;
    }
  }

  fail(message: string): void {
    const line = append(this.element, "p", message);
    line.className = "failed";
  }

  private addPhaseRow(index: number, label: string, epochs: number): void {
    const tr = append(this.phaseBody, "tr");
    append(tr, "td", `${index}. ${label}`);
    const status = append(tr, "td", "waiting");
    const epoch = append(tr, "td", `0/${epochs}`);
    const progress = append(append(tr, "td"), "progress");
    progress.value = 0;
    const losses = append(tr, "td");
    this.rows.push({ status, epoch, progress, losses, epochs });
  }
}

function formatLosses(losses: Readonly<Record<string, number>>): string {
  return Object.entries(losses)
    .map(([name, value]) => `${name}: ${value.toPrecision(4)}`)
    .join(", ");
}

/** Appends a new `tag` element with optional text to `parent` and returns it. */
export function append<K extends keyof HTMLElementTagNameMap>(parent: HTMLElement, tag: K, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  parent.append(element);
  return element;
}
