/**
 * `modular transfer`: scores how well each trained body (every training
 * module of a checkpoint but the last) transfers to a target dataset, with
 * `transferScore` of `@modular/method-proxy`, and ranks the bodies. With
 * `--fit-epochs` it also fits an output layer on each body (`fitOutputLayer`)
 * and compares the ranking with the test accuracies.
 */
import { type DatasetSplit, normalizeSplit } from "@modular/datasets";
import { fitOutputLayer, spearmanCorrelation, transferScore } from "@modular/method-proxy";
import { formatShape, setBackend } from "@modular/tensor";
import { type CheckpointBody, loadCheckpointBody } from "./checkpoint-body.js";
import { checkpointFolder } from "./run-dir.js";
import { UsageError } from "./errors.js";
import type { OutputStream } from "./report/reporter.js";
import { firstSamples } from "./train-command.js";
import { asTransferUsage, toTransferUsage, type TransferConfig } from "./transfer-options.js";

/** The result for one body. */
interface BodyResult {
  readonly body: string;
  readonly score: number;
  /** Test accuracy after fitting an output layer, or undefined without `--fit-epochs`. */
  readonly testAccuracy: number | undefined;
}

/** Throw `UsageError` unless the body takes samples of the dataset's shape. */
function checkInputShape(loaded: CheckpointBody, sampleShape: readonly number[], dataset: string): void {
  const expected = loaded.spec.inputShape;
  if (expected.length === sampleShape.length && expected.every((size, i) => size === sampleShape[i])) return;
  throw new UsageError(
    `The body in ${loaded.dir} takes samples of shape ${formatShape(expected)} (model.json "inputShape"), ` +
      `but --dataset ${dataset} has samples of shape ${formatShape(sampleShape)}. ` +
      "Score bodies on a dataset whose samples have the shape they were trained on.",
    "transfer",
  );
}

/** Write one line: a JSON object with `--json`, else `text`. */
function emit(stdout: OutputStream, json: boolean, record: Record<string, unknown>, text: string): void {
  stdout.write(json ? `${JSON.stringify(record)}\n` : `${text}\n`);
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}

/** Write the ranking by score (lowest first) and, when the bodies were fitted, Spearman's ρ. */
function writeRanking(stdout: OutputStream, config: TransferConfig, results: readonly BodyResult[]): void {
  const ranked = results.map((result, index) => ({ ...result, index })).sort((a, b) => a.score - b.score);
  const accuracies = results.flatMap((result) => (result.testAccuracy === undefined ? [] : [result.testAccuracy]));
  const fitted = accuracies.length === results.length;
  const scores = results.map((result) => result.score);
  const rho = fitted && results.length >= 2 ? spearmanCorrelation(scores, accuracies) : undefined;

  if (config.json) {
    const bodies = ranked.map((result, rank) => ({ rank: rank + 1, body: result.body, score: result.score, testAccuracy: result.testAccuracy ?? null }));
    const spearman = rho === undefined || Number.isNaN(rho) ? null : rho;
    stdout.write(`${JSON.stringify({ event: "ranking", dataset: config.dataset.name, bodies, spearman })}\n`);
    return;
  }

  const lines = ["", "Ranking (lowest score first, the predicted best transfer):"];
  const width = Math.max(...ranked.map((result) => result.body.length), 4);
  lines.push(`  rank  score   ${fitted ? "accuracy  " : ""}body`);
  ranked.forEach((result, rank) => {
    const accuracy = fitted ? `${percent(result.testAccuracy!).padStart(8)}  ` : "";
    lines.push(`  ${String(rank + 1).padEnd(4)}  ${result.score.toFixed(4)}  ${accuracy}${result.body.padEnd(width)}`.trimEnd());
  });
  if (rho !== undefined) {
    const value = Number.isNaN(rho) ? "undefined, because the scores or the accuracies all tie" : rho.toFixed(3);
    lines.push(
      "",
      `Spearman rank correlation of score and accuracy over ${results.length} bodies: ${value}`,
      "(−1 means the lower the score, the higher the accuracy, for every pair of bodies)",
    );
  } else if (!fitted) {
    lines.push("", "Add --fit-epochs n to fit an output layer on each body and compare the ranking with the accuracies.");
  }
  stdout.write(`${lines.join("\n")}\n`);
}

/** Runs `modular transfer` with `config`, writing results to `stdout`. Throws what the libraries throw. */
export async function runTransfer(config: TransferConfig, stdout: OutputStream): Promise<void> {
  await setBackend(config.backend);
  const name = config.dataset.name;
  let loaded: DatasetSplit;
  try {
    loaded = await config.dataset.load(config.location);
  } catch (error) {
    throw toTransferUsage(error);
  }
  const limited = asTransferUsage(() => ({
    train: firstSamples(loaded.train, config.limitTrain, "--limit-train", `the ${name} training split`),
    test: firstSamples(loaded.test, config.limitTest, "--limit-test", `the ${name} test split`),
  }));
  // Statistics come from the target's training samples, after --limit-train.
  const { train, test } = config.normalize ? normalizeSplit(limited) : limited;
  // Bodies are checked before any work, so a wrong folder fails at once.
  const bodies: CheckpointBody[] = [];
  try {
    for (const dir of config.bodies) {
      const body = await loadCheckpointBody(await checkpointFolder(dir));
      bodies.push(body);
      checkInputShape(body, train.sampleShape, name);
    }
    if (!config.json) {
      stdout.write(
        `Scoring ${bodies.length} ${bodies.length === 1 ? "body" : "bodies"} on ${name}: mean kernel proxy loss over ` +
          `${config.batches} batches of ${config.batchSize} training samples (seed ${config.seed}); lower predicts better transfer.\n`,
      );
    }

    const results: BodyResult[] = [];
    for (const [index, loaded] of bodies.entries()) {
      const position = `body ${index + 1}/${bodies.length}`;
      const scored = await transferScore(loaded.body, train, { batches: config.batches, batchSize: config.batchSize, seed: config.seed });
      emit(stdout, config.json, { event: "score", body: loaded.dir, score: scored.score, losses: scored.losses, samples: scored.samples },
        `${position} ${loaded.dir}: score ${scored.score.toFixed(4)}`);

      let testAccuracy: number | undefined;
      if (config.fitEpochs !== undefined) {
        const fit = await fitOutputLayer(loaded.body, train, test, {
          epochs: config.fitEpochs,
          batchSize: config.batchSize,
          seed: config.seed,
          optimizer: { kind: "adam", lr: config.fitLr },
        });
        testAccuracy = fit.testAccuracy;
        emit(stdout, config.json,
          { event: "fit", body: loaded.dir, epochs: config.fitEpochs, testAccuracy, finalLoss: fit.finalLoss, seconds: fit.seconds },
          `${position} ${loaded.dir}: output layer fitted for ${config.fitEpochs} ${config.fitEpochs === 1 ? "epoch" : "epochs"} in ${fit.seconds.toFixed(1)} s, ` +
            `test accuracy ${percent(testAccuracy)} on ${test.size} samples`);
      }
      results.push({ body: loaded.dir, score: scored.score, testAccuracy });
    }
    writeRanking(stdout, config, results);
  } finally {
    bodies.forEach((loaded) => loaded.model.dispose());
  }
}
