import { describe, expect, test } from "vitest";
import { Capture, run, SMALL_RUN } from "./run-cli.js";

const ESCAPE = "\u001b";

describe("human-readable output", () => {
  const argv = ["train", "--method", "proxy/kernel", ...SMALL_RUN];

  test("prints lines without bars when stdout is not a terminal", async () => {
    const { code, stdout, stderr } = await run(argv);
    const lines = stdout.trimEnd().split("\n");

    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).not.toContain(ESCAPE);
    expect(lines[0]).toBe(
      "Method proxy/kernel | model mlp 784-64-10, 50,890 parameters | dataset mnist, 2,000 train / 500 test | backend cpu | seed 1",
    );
    expect(lines).toContain("Phase 1/2: module 1/2: kernel proxy loss (3 epochs of 63 steps)");
    expect(lines.filter((line) => /^ {2}epoch [1-3]\/3 {2}loss \d+\.\d{4} {2}\d+\.\d s$/.test(line))).toHaveLength(6);
    expect(lines.at(-2)).toMatch(/^Test accuracy: \d+\.\d\d %$/);
    expect(lines.at(-1)).toMatch(/^Wall time: \d+\.\d s$/);
  });

  test("draws a progress bar per phase on a terminal", async () => {
    const terminal = new Capture(true, 120);

    const { code } = await run(argv, { stdout: terminal });

    expect(code).toBe(0);
    expect(terminal.text).toContain(ESCAPE);
    expect(terminal.text).toMatch(/phase 1\/2: module 1\/2: kernel proxy loss \| epoch \d\/3 [\u2588\u2591]{24} \d+\/189 \| loss/);
    expect(terminal.text).toMatch(/phase 2\/2: module 2\/2: output layer, cross-entropy \| epoch \d\/3 /);
    expect(terminal.text).toMatch(/\| loss \d+\.\d{4} \| ETA (\d+s|\d+m\d\ds)/);
    expect(terminal.text).toContain("  epoch 3/3  loss ");
    expect(terminal.text).toMatch(/Test accuracy: \d+\.\d\d %\nWall time: \d+\.\d s\n$/);
  });
});
