/**
 * Line charts drawn with uPlot 1.6.32: named series over one x axis, with
 * points added while a run trains. A series may skip x values, and the
 * chart is rebuilt when a new series appears.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Fixed y range, e.g. [0, 1] for accuracy; the default fits the data. */
  readonly yRange?: readonly [number, number];
  readonly height?: number;
  /** Ticks on whole numbers of x only, e.g. for epochs. Default false. */
  readonly integerX?: boolean;
}

export class LineChart {
  private readonly xs: number[] = [];
  private readonly series = new Map<string, Map<number, number>>();
  private plot: uPlot | undefined;
  private drawPending = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly options: LineChartOptions,
  ) {}

  /** Adds the point (x, y) to the series `name`, creating it on first use, and redraws on the next frame. */
  add(name: string, x: number, y: number): void {
    if (!this.xs.includes(x)) {
      this.xs.push(x);
      this.xs.sort((a, b) => a - b);
    }
    let points = this.series.get(name);
    if (points === undefined) {
      points = new Map();
      this.series.set(name, points);
      this.plot?.destroy();
      this.plot = undefined;
    }
    points.set(x, y);
    this.scheduleDraw();
  }

  /** Number of points in the series `name`. */
  pointCount(name: string): number {
    return this.series.get(name)?.size ?? 0;
  }

  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    const names = [...this.series.keys()];
    const data: uPlot.AlignedData = [
      this.xs,
      ...names.map((name) => this.xs.map((x) => this.series.get(name)!.get(x) ?? null)),
    ];
    if (this.plot !== undefined) {
      this.plot.setData(data);
      return;
    }

    const width = Math.max(300, this.container.clientWidth);
    const range = this.options.yRange;
    this.plot = new uPlot(
      {
        title: this.options.title,
        width,
        height: this.options.height ?? 240,
        scales: { x: { time: false }, ...(range === undefined ? {} : { y: { range: [range[0], range[1]] } }) },
        axes: [
          { label: this.options.xLabel, ...(this.options.integerX === true ? { incrs: [1, 2, 5, 10, 20, 50] } : {}) },
          { label: this.options.yLabel },
        ],
        series: [
          { label: this.options.xLabel },
          ...names.map((name, index) => ({
            label: name,
            stroke: COLOURS[index % COLOURS.length]!,
            width: 2,
            spanGaps: true,
            points: { show: true, size: 4 },
          })),
        ],
      },
      data,
      this.container,
    );
  }
}
