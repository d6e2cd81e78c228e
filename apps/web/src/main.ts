/**
 * The demo page: reads the controls, trains the picked scheme (and then
 * `backprop` on the same settings, when comparing) each in its own Web
 * Worker, and shows progress, loss and accuracy charts, the results table
 * and the checkpoint downloads. `body[data-status]` is "idle", "running",
 * "done" or "failed", for the browser test.
 */
import "./style.css";
import { LineChart } from "./charts.js";
import { MODELS } from "./models.js";
import { type FromTrainingWorker, IDX_FILE_NAMES, type IdxFiles, type RunConfig } from "./protocol.js";
import { append, RunPanel } from "./run-panel.js";
import { findScheme, SCHEMES } from "./schemes.js";

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`The page has no element #${id}.`);
  return element as T;
};

const controls = {
  form: byId<HTMLFormElement>("controls"),
  scheme: byId<HTMLSelectElement>("scheme"),
  model: byId<HTMLSelectElement>("model"),
  backend: byId<HTMLSelectElement>("backend"),
  data: byId<HTMLSelectElement>("data"),
  idxFiles: byId<HTMLInputElement>("idx-files"),
  idxFilesLabel: byId<HTMLLabelElement>("idx-files-label"),
  epochs: byId<HTMLInputElement>("epochs"),
  samples: byId<HTMLSelectElement>("samples"),
  batchSize: byId<HTMLInputElement>("batch-size"),
  lr: byId<HTMLInputElement>("lr"),
  seed: byId<HTMLInputElement>("seed"),
  compare: byId<HTMLInputElement>("compare"),
  train: byId<HTMLButtonElement>("train"),
  stop: byId<HTMLButtonElement>("stop"),
};
const statusLine = byId<HTMLParagraphElement>("status");
const schemeDescription = byId<HTMLParagraphElement>("scheme-description");
const environment = byId<HTMLParagraphElement>("environment");
const runsSection = byId<HTMLElement>("runs");
const resultsBody = byId<HTMLTableElement>("results").tBodies[0]!;

let accuracyChart: LineChart | undefined;
/** Ends the run in progress: terminates its worker and rejects its promise with `RunStopped`. */
let stopActiveRun: (() => void) | undefined;
let nextRunId = 1;
let stopRequested = false;

/** The user pressed Stop. */
class RunStopped extends Error {
  override readonly name = "RunStopped";
}

/** Fills the scheme select, grouped by family, and the model select. */
function fillSelects(): void {
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const scheme of SCHEMES) {
    let group = groups.get(scheme.family);
    if (group === undefined) {
      group = document.createElement("optgroup");
      group.label = scheme.family;
      groups.set(scheme.family, group);
      controls.scheme.append(group);
    }
    const option = new Option(scheme.name, scheme.name);
    group.append(option);
  }
  controls.scheme.value = "proxy/kernel";
  for (const model of MODELS) controls.model.append(new Option(`${model.name}: ${model.summary}`, model.name));
}

function describeScheme(): void {
  const scheme = findScheme(controls.scheme.value);
  const needs = scheme.requirements === undefined ? "" : ` Needs: ${scheme.requirements.reason}`;
  const models = scheme.models === undefined ? "" : ` Trains the ${scheme.models.join(", ")} model only.`;
  schemeDescription.textContent = `${scheme.name} (${scheme.family}): ${scheme.description}.${needs}${models}`;
}

interface AdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/**
 * Offers webgpu when `navigator.gpu` returns an adapter, and picks it by
 * default on a hardware adapter. A software adapter (SwiftShader, lavapipe,
 * llvmpipe) stays selectable, but cpu is the default then, as for the `auto`
 * backend of `@modular/tensor`. In one run of the browser test (Chromium 156,
 * 2 loaded cores), one epoch of `backprop` took 54 s on SwiftShader for 2,000
 * digits and 20 s on cpu for all 8,004.
 */
async function detectBackends(): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfo } | null> } }).gpu;
  let info: AdapterInfo | undefined;
  try {
    const adapter = await gpu?.requestAdapter();
    if (adapter !== null && adapter !== undefined) info = adapter.info ?? {};
  } catch {
    info = undefined;
  }

  const description = info === undefined ? "" : [info.vendor, info.architecture, info.description].filter((part) => part !== undefined && part !== "").join(" ");
  const software = info !== undefined && (info.isFallbackAdapter === true || /swiftshader|lavapipe|llvmpipe/i.test(description));
  const adapterText = info === undefined ? undefined : `${description || "an adapter"}${software ? ", a software adapter" : ""}`;

  const webgpu = new Option(adapterText === undefined ? "webgpu (no adapter in this browser)" : `webgpu (${adapterText})`, "webgpu");
  webgpu.disabled = adapterText === undefined;
  controls.backend.append(webgpu, new Option("cpu (typed arrays in a Web Worker)", "cpu"));
  controls.backend.value = adapterText !== undefined && !software ? "webgpu" : "cpu";

  const isolation = globalThis.crossOriginIsolated
    ? "The page is cross-origin isolated, so SharedArrayBuffer is available for proxy/dgl-async."
    : "The page is not cross-origin isolated (no COOP/COEP headers), so proxy/dgl-async cannot run here.";
  const softwareNote = software ? " A software adapter runs slower than the cpu backend, so cpu is the default." : "";
  environment.textContent = `WebGPU: ${adapterText ?? "no adapter"}.${softwareNote} ${isolation}`;
}

/** Returns the four picked IDX files by role, matched by their standard names. Throws, naming the missing ones, unless all four are there. */
function pickedIdxFiles(): IdxFiles {
  const picked = [...(controls.idxFiles.files ?? [])];
  const found: Partial<Record<keyof IdxFiles, File>> = {};
  const missing: string[] = [];
  for (const [role, name] of Object.entries(IDX_FILE_NAMES) as [keyof IdxFiles, string][]) {
    const file = picked.find((candidate) => candidate.name === name || candidate.name === `${name}.gz`);
    if (file === undefined) missing.push(name);
    else found[role] = file;
  }
  if (missing.length > 0) {
    throw new Error(
      `Missing IDX files: ${missing.join(", ")} (each raw or with .gz). Pick all four files of an MNIST-format dataset, such as Fashion-MNIST.`,
    );
  }
  return found as IdxFiles;
}

function readConfig(scheme: string): RunConfig {
  const integer = (input: HTMLInputElement, name: string, min: number): number => {
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} ${input.value} is invalid: enter an integer of at least ${min}.`);
    return value;
  };
  const lr = Number(controls.lr.value);
  if (!(lr > 0)) throw new Error(`Learning rate ${controls.lr.value} is invalid: enter a positive number.`);
  return {
    runId: nextRunId++,
    scheme,
    model: controls.model.value,
    backend: controls.backend.value === "webgpu" ? "webgpu" : "cpu",
    epochs: integer(controls.epochs, "Epochs", 1),
    trainSamples: controls.samples.value === "all" ? "all" : Number(controls.samples.value),
    ...(controls.data.value === "idx" ? { idxFiles: pickedIdxFiles() } : {}),
    batchSize: integer(controls.batchSize, "Batch size", 1),
    lr,
    seed: integer(controls.seed, "Seed", 0),
  };
}

/** Checks that the scheme trains the picked model and applies its backend requirement. Throws when the page cannot meet either. */
function checkRequirements(config: RunConfig): RunConfig {
  const scheme = findScheme(config.scheme);
  if (scheme.models !== undefined && !scheme.models.includes(config.model)) {
    throw new Error(`${config.scheme} trains the ${scheme.models.join(", ")} model only. Pick that model, or another scheme for the ${config.model}.`);
  }
  const requirements = scheme.requirements;
  if (requirements === undefined) return config;
  if (requirements.crossOriginIsolated === true && !globalThis.crossOriginIsolated) {
    throw new Error(
      `${config.scheme} needs SharedArrayBuffer, but this page is not cross-origin isolated. ` +
        "Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (vite and vite preview do).",
    );
  }
  return requirements.backend === undefined ? config : { ...config, backend: requirements.backend };
}

/** Trains one run in a new Web Worker and adds its row to the results table. Resolves with its test accuracy. */
function trainInWorker(config: RunConfig, panel: RunPanel): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./training-worker.ts", import.meta.url), { type: "module" });
    stopActiveRun = () => {
      worker.terminate();
      reject(new RunStopped(`${config.scheme} stopped`));
    };
    const label = `${config.scheme} (run ${config.runId})`;
    let backendName: string = config.backend;
    let dataName = "";
    let trainSamples = 0;

    worker.addEventListener("message", (event: MessageEvent<FromTrainingWorker>) => {
      const message = event.data;
      switch (message.type) {
        case "backend":
          backendName = message.adapter === "" ? message.name : `${message.name} (${message.adapter})`;
          panel.showBackend(message.name, message.adapter);
          break;
        case "data":
          dataName = message.name;
          trainSamples = message.trainSamples;
          panel.showData(message.name, message.trainSamples, message.testSamples);
          break;
        case "event":
          panel.handle(message.event);
          if (message.event.event === "phase-start") {
            statusLine.textContent = `Training ${config.scheme}: phase ${message.event.phase}/${message.event.phases}, ${message.event.label}`;
          }
          break;
        case "accuracy":
          accuracyChart?.add(label, message.epochsDone, message.accuracy);
          break;
        case "done":
          worker.terminate();
          addResultRow(config, { backend: backendName, data: dataName, trainSamples }, message.testAccuracy, message.seconds, message.checkpoint);
          resolve(message.testAccuracy);
          break;
        case "failed":
          worker.terminate();
          panel.fail(message.message);
          reject(new Error(message.message));
          break;
      }
    });
    worker.addEventListener("error", (event) => {
      worker.terminate();
      reject(new Error(`The training worker failed: ${event.message}`));
    });
    worker.postMessage({ type: "train", config });
  });
}

function addResultRow(
  config: RunConfig,
  shown: { readonly backend: string; readonly data: string; readonly trainSamples: number },
  accuracy: number,
  seconds: number,
  checkpoint: readonly { name: string; bytes: Uint8Array }[],
): void {
  const row = append(resultsBody as unknown as HTMLElement, "tr");
  row.dataset.scheme = config.scheme;
  append(row, "td", config.scheme);
  append(row, "td", config.model);
  append(row, "td", shown.backend);
  append(row, "td", shown.data);
  append(row, "td", shown.trainSamples.toLocaleString("en"));
  append(row, "td", String(config.epochs));
  const accuracyCell = append(row, "td", `${(100 * accuracy).toFixed(2)} %`);
  accuracyCell.className = "accuracy";
  append(row, "td", `${seconds.toFixed(1)} s`);

  const links = append(row, "td");
  for (const file of checkpoint) {
    const blob = new Blob([file.bytes as Uint8Array<ArrayBuffer>], {
      type: file.name.endsWith(".json") ? "application/json" : "application/octet-stream",
    });
    const link = append(links, "a", file.name);
    link.href = URL.createObjectURL(blob);
    link.download = `${config.scheme.replace("/", "-")}-run${config.runId}-${file.name}`;
    links.append(" ");
  }
}

async function trainClicked(): Promise<void> {
  const picked = controls.scheme.value;
  const schemes = controls.compare.checked && picked !== "backprop" ? [picked, "backprop"] : [picked];
  const configs = schemes.map((scheme) => checkRequirements(readConfig(scheme)));

  runsSection.replaceChildren();
  if (accuracyChart === undefined) {
    accuracyChart = new LineChart(byId("accuracy-chart"), {
      title: "test accuracy before training and after each epoch (whole test set)",
      xLabel: "epochs trained (all phases)",
      integerX: true,
      yLabel: "accuracy",
      yRange: [0, 1],
    });
  }

  document.body.dataset.status = "running";
  controls.train.disabled = true;
  controls.stop.disabled = false;
  stopRequested = false;
  const panels = configs.map((config) => new RunPanel(runsSection, config));
  try {
    for (const [index, config] of configs.entries()) {
      if (stopRequested) break;
      const accuracy = await trainInWorker(config, panels[index]!);
      statusLine.textContent = `${config.scheme}: test accuracy ${(100 * accuracy).toFixed(2)} %.`;
    }
    document.body.dataset.status = stopRequested ? "idle" : "done";
    if (!stopRequested) statusLine.textContent = `Done: ${configs.map((config) => config.scheme).join(" and ")}. See the results table.`;
  } catch (error) {
    if (!(error instanceof RunStopped)) throw error;
    document.body.dataset.status = "idle";
    statusLine.textContent = "Stopped.";
  } finally {
    stopActiveRun = undefined;
    controls.train.disabled = false;
    controls.stop.disabled = true;
  }
}

function fail(error: unknown): void {
  document.body.dataset.status = "failed";
  statusLine.textContent = error instanceof Error ? error.message : String(error);
  statusLine.className = "failed";
}

fillSelects();
describeScheme();
controls.scheme.addEventListener("change", describeScheme);
controls.data.addEventListener("change", () => {
  controls.idxFilesLabel.hidden = controls.data.value !== "idx";
});
controls.form.addEventListener("submit", (event) => {
  event.preventDefault();
  statusLine.className = "";
  trainClicked().catch(fail);
});
controls.stop.addEventListener("click", () => {
  stopRequested = true;
  stopActiveRun?.();
});
detectBackends().catch(fail);
