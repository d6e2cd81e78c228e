/**
 * `@modular/bench`: benchmark suites for `@modular`. The kernel suite times
 * square matmuls and one MLP training step on our `webgpu` and `cpu`
 * backends and on TensorFlow.js 4.22.0 in the same process, and reports
 * GFLOP/s, samples/s and our/TensorFlow.js ratios. The schemes suite trains
 * every scheme and `backprop` on the same models and data, and reports
 * accuracy, time and peak memory with plots. The Node.js entry (`node`
 * export condition) adds Dawn's `navigator.gpu`, machine details and writing
 * `docs/benchmarks.md`.
 */
export { type AdapterSummary, formatAdapter, recordRequestedAdapters, sameAdapter, summarizeAdapter } from "./adapter.js";
export { BenchConfigError, BenchDocumentError, BenchUnavailableError } from "./errors.js";
export {
  BENCH_OPTIMIZERS,
  type BenchOptimizer,
  DEFAULT_KERNEL_SUITE_OPTIONS,
  type KernelSuiteOptions,
  MAX_MATMUL_SIZE,
  type ResolvedKernelSuiteOptions,
  resolveKernelSuiteOptions,
  type Target,
  TARGETS,
} from "./options.js";
export {
  formatAdapterLines,
  formatCaseLine,
  formatMarkdownSection,
  formatMarkdownTable,
  formatRatio,
  formatThroughput,
  type ReportContext,
  SECTION_BEGIN,
  SECTION_END,
  updateMarkedSection,
} from "./report.js";
export {
  COMPARED_PAIRS,
  computeRatios,
  createRunner,
  groupTargets,
  type KernelSuiteHooks,
  type KernelSuiteReport,
  type MeasuredCase,
  MLP_LABEL,
  type Ratio,
  runKernelSuite,
  type WorkloadName,
} from "./suite.js";
export { measure, measureInterleaved, median, type Timed, type Timing, type TimingOptions } from "./timing.js";
export { matmulFlops, MLP_WIDTHS, type TargetRunner, type Workload } from "./workload.js";
export { type Plot, renderSvg, schemesPlots } from "./schemes/charts.js";
export { formatSchemesSection, SCHEMES_SECTION } from "./schemes/report.js";
export { mergeSchemesReports, type SchemesReportPart } from "./schemes/merge.js";
export {
  clearlyAboveChance,
  type CurvePoint,
  type PhaseRecord,
  runSchemesSuite,
  type NotRunScheme,
  type SchemeEntry,
  type SchemeRun,
  type SchemesRunSource,
  type SchemeSummary,
  type SchemesEnvironment,
  type SchemesSuiteHooks,
  type SchemesSuiteOptions,
  type SchemesSuiteReport,
  summarizeRuns,
} from "./schemes/suite.js";
export {
  FULL_SEEDS,
  FULL_WORKLOADS,
  QUICK_SEEDS,
  QUICK_WORKLOADS,
  type SchemeDatasetName,
  type SchemeModelName,
  type SchemeWorkload,
  selectWorkloads,
  summarizeWorkload,
} from "./schemes/workloads.js";
