import { describe, expect, test } from "vitest";
import { run, SMALL_RUN } from "./run-cli.js";

/** Command lines that must fail with status 2, and a part of the message each must print. */
const USAGE_ERRORS: readonly [string, readonly string[], string][] = [
  ["unknown command", ["fit"], "unknown command 'fit'\nValid commands: bench, compare, eval, info, methods, train, transfer."],
  ["unknown flag", ["train", "--speed", "3"], "unknown option '--speed'"],
  ["unknown top-level flag", ["--speed"], "unknown option '--speed'"],
  ["extra argument", ["train", "mnist"], "too many arguments for 'train'"],
  ["missing flag value", ["train", "--epochs"], "option '--epochs <n>' argument missing"],
  ["unknown method", ["train", "--method", "proxy/foo"], 'Unknown method "proxy/foo". Valid methods: auxvar/admm, auxvar/bcd, backprop, fa/dfa, fa/fa, fa/sign-symmetry, proxy/aux-classifier, proxy/aux-sim, proxy/cascade, ' +
        'proxy/contrastive, proxy/dgl, proxy/dgl-async, proxy/fixed-random, proxy/infopro, proxy/kernel, proxy/pred, proxy/predsim, proxy/sim, ' +
        'syngrad/cdni, syngrad/dni, targetprop/ddtp, targetprop/ddtp-rhl, targetprop/drl, targetprop/dtp, targetprop/tp.'],
  ["unknown model", ["train", "--model", "transformer"], 'Unknown model "transformer". Valid models: cnn, mlp, resnet, vgg.'],
  ["hidden for vgg", ["train", "--model", "vgg", "--hidden", "64"], "--hidden does not apply to --model vgg. Scale its widths with --width instead."],
  ["two hidden widths for cnn", ["train", "--model", "cnn", "--hidden", "64,32"], "--model cnn has one hidden fully connected layer"],
  ["width for mlp", ["train", "--width", "2"], "--width does not apply to --model mlp; it applies to vgg, resnet."],
  ["zero width", ["train", "--model", "resnet", "--width", "0"], 'Invalid value "0" for --width: out of range.'],
  ["unknown dataset", ["train", "--dataset", "cifar10"], 'Unknown dataset "cifar10". Valid datasets: cifar-10, cifar-100, csv, fashion-mnist, mnist.'],
  ["unknown backend", ["train", "--backend", "tpu"], 'Unknown backend "tpu". Valid backends: cpu.'],
  ["unknown optimizer", ["train", "--optimizer", "rmsprop"], 'Unknown optimizer "rmsprop". Valid optimizers: adam, sgd.'],
  ["non-number epochs", ["train", "--epochs", "ten"], 'Invalid value "ten" for --epochs: not a number.'],
  ["fractional epochs", ["train", "--epochs", "2.5"], 'Invalid value "2.5" for --epochs: not an integer.'],
  ["zero epochs", ["train", "--epochs", "0"], 'Invalid value "0" for --epochs: out of range. Expected an integer >= 1.'],
  ["negative batch size", ["train", "--batch-size", "-8"], 'Invalid value "-8" for --batch-size: out of range.'],
  ["fractional batch size", ["train", "--batch-size", "12.5"], 'Invalid value "12.5" for --batch-size: not an integer.'],
  ["non-number lr", ["train", "--lr", "fast"], 'Invalid value "fast" for --lr: not a number.'],
  ["zero lr", ["train", "--lr", "0"], 'Invalid value "0" for --lr: out of range. Expected a number > 0.'],
  ["infinite lr", ["train", "--lr", "1e999"], 'Invalid value "1e999" for --lr: out of range.'],
  ["seed above 32 bits", ["train", "--seed", "4294967296"], 'Invalid value "4294967296" for --seed: out of range.'],
  ["negative seed", ["train", "--seed", "-1"], 'Invalid value "-1" for --seed: out of range.'],
  ["zero log interval", ["train", "--log-every", "0"], 'Invalid value "0" for --log-every: out of range.'],
  ["non-number width", ["train", "--hidden", "256,wide"], 'Invalid value "256,wide" for --hidden: width "wide"'],
  ["zero width", ["train", "--hidden", "64,0"], 'Invalid value "64,0" for --hidden: width "0"'],
  ["empty widths", ["train", "--hidden", ""], 'Invalid value "" for --hidden: no widths.'],
  ["zero train limit", ["train", "--limit-train", "0"], 'Invalid value "0" for --limit-train: out of range.'],
  ["fractional test limit", ["train", "--limit-test", "0.5"], 'Invalid value "0.5" for --limit-test: not an integer.'],
  ["data dir for mnist", ["train", "--data-dir", "/tmp"], "--data-dir does not apply to --dataset mnist"],
  ["csv file for mnist", ["train", "--csv-train", "a.csv"], "--csv-train applies only to --dataset csv, not to --dataset mnist."],
  ["csv without files", ["train", "--dataset", "csv"], "--dataset csv needs both --csv-train and --csv-test"],
  ["augment for csv", ["train", "--dataset", "csv", "--augment"], "--augment applies only to image datasets"],
  ["cifar without folder", ["train", "--dataset", "cifar-10"], "--dataset cifar-10 needs --data-dir"],
  ["unknown schedule", ["train", "--schedule", "linear"], 'Unknown schedule "linear". Valid schedules: constant, step, cosine.'],
  ["step without step size", ["train", "--schedule", "step"], "--schedule step needs --lr-step"],
  ["step size for cosine", ["train", "--schedule", "cosine", "--lr-step", "5"], "--lr-step applies only to --schedule step"],
  ["warm-up of all epochs", ["train", "--epochs", "3", "--warmup", "3"], 'Invalid value "3" for --warmup: out of range. Expected an integer from 0 to 2.'],
  ["negative weight decay", ["train", "--weight-decay", "-1"], 'Invalid value "-1" for --weight-decay: out of range. Expected a number >= 0.'],
  ["momentum for adam", ["train", "--momentum", "0.9"], "--momentum applies only to --optimizer sgd, not to --optimizer adam."],
  ["momentum of 1", ["train", "--optimizer", "sgd", "--momentum", "1"], 'Invalid value "1" for --momentum: out of range.'],
  ["zero gradient norm", ["train", "--max-grad-norm", "0"], 'Invalid value "0" for --max-grad-norm: out of range.'],
  ["zero checkpoint interval", ["train", "--checkpoint-every", "0"], 'Invalid value "0" for --checkpoint-every: out of range.'],
  ["unknown label kind", ["train", "--labels", "pairs"], 'Unknown label kind "pairs" for --labels. Valid kinds: full, pairwise.'],
  ["shots with full labels", ["train", "--shots", "5"], "--shots applies only to --labels pairwise"],
  ["zero shots", ["train", "--labels", "pairwise", "--shots", "0"], 'Invalid value "0" for --shots: out of range. Expected an integer >= 1.'],
  ["fractional shots", ["train", "--labels", "pairwise", "--shots", "1.5"], 'Invalid value "1.5" for --shots: not an integer.'],
  [
    "more shots than a class has",
    ["train", "--labels", "pairwise", "--shots", "30", "--limit-train", "100", "--epochs", "1"],
    'Invalid value "30" for --shots: class',
  ],
  [
    "train limit above dataset size",
    ["train", "--limit-train", "8005", "--epochs", "1"],
    'Invalid value "8005" for --limit-train: the mnist training split has only 8004 samples.',
  ],
];

describe("invalid command lines", () => {
  test.each(USAGE_ERRORS)("%s exits with status 2", async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stderr).toMatch(/^modular: error: /);
    expect(stderr).toContain(message);
    expect(stdout).toBe("");
  });

  test("help hint names the installed bin", async () => {
    const { stderr } = await run(["train", "--method", "proxy/foo"]);

    expect(stderr).toContain('Run "modular train --help" for usage.');
  });

  test("help hint under pnpm names pnpm modular", async () => {
    const { stderr } = await run(["train", "--methd", "backprop"], { env: { npm_lifecycle_event: "modular" } });

    expect(stderr).toContain('Run "pnpm modular train --help" for usage.');
  });

  test("--json adds an error line on stdout", async () => {
    const { code, stdout, stderr } = await run(["train", "--json", "--method", "proxy/foo"]);

    expect(code).toBe(2);
    expect(stderr).toContain('Unknown method "proxy/foo"');
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { event: "error", error: "UsageError", message: 'Unknown method "proxy/foo". Valid methods: auxvar/admm, auxvar/bcd, backprop, fa/dfa, fa/fa, fa/sign-symmetry, proxy/aux-classifier, proxy/aux-sim, proxy/cascade, ' +
        'proxy/contrastive, proxy/dgl, proxy/dgl-async, proxy/fixed-random, proxy/infopro, proxy/kernel, proxy/pred, proxy/predsim, proxy/sim, ' +
        'syngrad/cdni, syngrad/dni, targetprop/ddtp, targetprop/ddtp-rhl, targetprop/drl, targetprop/dtp, targetprop/tp.' },
    ]);
  });
});

describe("library errors", () => {
  const missingData = ["train", "--dataset", "fashion-mnist", "--data-dir", "/nonexistent/fashion-mnist"];

  test("missing data prints one line with status 1", async () => {
    const { code, stderr } = await run(missingData);

    expect(code).toBe(1);
    expect(stderr).toMatch(/^modular: error: fashion-mnist: folder not found: \/nonexistent\/fashion-mnist\. /);
    expect(stderr).toContain("--data-dir");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test("MODULAR_DEBUG=1 adds the stack trace", async () => {
    const { code, stderr } = await run(missingData, { env: { MODULAR_DEBUG: "1" } });

    expect(code).toBe(1);
    expect(stderr).toContain("modular: error: fashion-mnist: folder not found");
    expect(stderr).toMatch(/DatasetNotFoundError[^]*\n\s+at /);
  });

  test("diverging loss stops the run with status 1", async () => {
    const argv = ["train", "--method", "backprop", ...SMALL_RUN, "--lr", "1e30", "--epochs", "1", "--log-every", "1"];

    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(1);
    expect(stderr).toMatch(/^modular: error: Training stopped: loss "model" became (NaN|Infinity|-Infinity) at step \d+/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stdout).not.toContain("Test accuracy");
  });

  test("diverging loss in --json ends with an error line, not done", async () => {
    const argv = ["train", "--method", "backprop", ...SMALL_RUN, "--lr", "1e30", "--epochs", "1", "--log-every", "1", "--json"];

    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(1);
    expect(stderr).toContain("modular: error: Training stopped");
    const events = stdout.trim().split("\n").map((line) => JSON.parse(line) as { event: string; error?: string });
    expect(events[0]?.event).toBe("run-start");
    expect(events.at(-1)).toMatchObject({ event: "error", error: "NonFiniteLossError" });
    expect(events.some((event) => event.event === "done")).toBe(false);
  });
});
