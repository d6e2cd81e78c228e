/**
 * Learning-rate schedules. A schedule maps a position (epochs or batches
 * completed within a phase, from 0) and the optimizer's base learning rate
 * to the rate of the next step. The runner applies it to every optimizer a
 * phase lists in `Phase.optimizers`, before each epoch by default or before
 * each batch when the schedule's `interval` is "batch".
 */
import { ConfigError } from "./errors.js";

/** When a schedule advances: once per epoch (the default) or once per batch. */
export type ScheduleInterval = "epoch" | "batch";

export interface LrSchedule {
  /** The unit of `position` in `rate`. */
  readonly interval: ScheduleInterval;
  /** The learning rate after `position` epochs or batches of the phase (from 0), for base rate `baseLr`. */
  rate(position: number, baseLr: number): number;
}

/** Options shared by every schedule. */
export interface ScheduleOptions {
  /** Advance once per "epoch" (default) or once per "batch". */
  readonly interval?: ScheduleInterval;
}

function checkCount(schedule: string, name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new ConfigError(`${schedule}: ${name} ${value} is invalid; it must be an integer of at least ${minimum}.`);
  }
}

function checkFactor(schedule: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${schedule}: ${name} ${value} is invalid; it must be a finite number of at least 0.`);
  }
}

/** Keep the base rate at every position. */
export function constantLr(options: ScheduleOptions = {}): LrSchedule {
  return { interval: options.interval ?? "epoch", rate: (_position, baseLr) => baseLr };
}

export interface StepLrOptions extends ScheduleOptions {
  /** Positions between decays, a positive integer. */
  readonly stepSize: number;
  /** Factor applied at each decay. Default 0.1. */
  readonly gamma?: number;
}

/** Step decay: baseLr · gamma^floor(position / stepSize). */
export function stepLr(options: StepLrOptions): LrSchedule {
  const gamma = options.gamma ?? 0.1;
  checkCount("stepLr", "stepSize", options.stepSize, 1);
  checkFactor("stepLr", "gamma", gamma);
  return {
    interval: options.interval ?? "epoch",
    rate: (position, baseLr) => baseLr * gamma ** Math.floor(position / options.stepSize),
  };
}

export interface CosineLrOptions extends ScheduleOptions {
  /** Positions over which the rate falls from baseLr to minLr, a positive integer. */
  readonly total: number;
  /** Rate at and after `total`. Default 0. */
  readonly minLr?: number;
}

/**
 * Cosine annealing (Loshchilov and Hutter, "SGDR: Stochastic gradient descent
 * with warm restarts", 2017, without restarts):
 * minLr + (baseLr − minLr) · (1 + cos(π · min(position, total) / total)) / 2.
 */
export function cosineLr(options: CosineLrOptions): LrSchedule {
  const minLr = options.minLr ?? 0;
  checkCount("cosineLr", "total", options.total, 1);
  checkFactor("cosineLr", "minLr", minLr);
  return {
    interval: options.interval ?? "epoch",
    rate(position, baseLr) {
      const progress = Math.min(position, options.total) / options.total;
      return minLr + ((baseLr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
    },
  };
}

export interface WarmupOptions {
  /** Positions of linear warm-up, a non-negative integer. */
  readonly warmup: number;
  /** Fraction of the base rate at position 0. Default 0. */
  readonly startFactor?: number;
}

/**
 * Linear warm-up in front of `after`: the rate rises linearly from
 * startFactor · baseLr at position 0 to baseLr at position `warmup`, and from
 * there follows `after`, shifted so that its position 0 is the end of warm-up.
 * The warm-up counts in the unit of `after.interval`.
 */
export function withWarmup(after: LrSchedule, options: WarmupOptions): LrSchedule {
  const startFactor = options.startFactor ?? 0;
  checkCount("withWarmup", "warmup", options.warmup, 0);
  checkFactor("withWarmup", "startFactor", startFactor);
  return {
    interval: after.interval,
    rate(position, baseLr) {
      if (position >= options.warmup) return after.rate(position - options.warmup, baseLr);
      const fraction = startFactor + ((1 - startFactor) * position) / options.warmup;
      return baseLr * fraction;
    },
  };
}

/** Linear warm-up over `warmup` positions, then the base rate. */
export function linearWarmupLr(options: WarmupOptions & ScheduleOptions): LrSchedule {
  return withWarmup(constantLr(options), options);
}

export interface WarmupCosineLrOptions extends ScheduleOptions {
  /** Positions of linear warm-up from 0, a non-negative integer. */
  readonly warmup: number;
  /** Positions of the whole schedule, warm-up included; larger than `warmup`. */
  readonly total: number;
  /** Rate at and after `total`. Default 0. */
  readonly minLr?: number;
}

/** Linear warm-up from 0 over `warmup` positions, then cosine annealing to minLr at `total`. */
export function warmupCosineLr(options: WarmupCosineLrOptions): LrSchedule {
  if (!(options.total > options.warmup)) {
    throw new ConfigError(
      `warmupCosineLr: total ${options.total} must be larger than warmup ${options.warmup}, because the cosine part needs at least one position.`,
    );
  }
  const cosine = cosineLr({ total: options.total - options.warmup, minLr: options.minLr, interval: options.interval });
  return withWarmup(cosine, { warmup: options.warmup });
}
