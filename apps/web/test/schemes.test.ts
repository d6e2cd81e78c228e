/** The demo's registries: every preset of every method package is offered, once. */
import { AUXVAR_PRESETS } from "@modular/method-auxvar";
import { FA_PRESETS } from "@modular/method-fa";
import { PROXY_PRESETS } from "@modular/method-proxy";
import { SYNGRAD_PRESETS } from "@modular/method-syngrad";
import { TARGETPROP_PRESETS } from "@modular/method-targetprop";
import { describe, expect, test } from "vitest";
import { findModel, MODELS } from "../src/models.js";
import { findScheme, SCHEMES } from "../src/schemes.js";

describe("SCHEMES", () => {
  test("offers backprop and every preset", () => {
    const presets = [...PROXY_PRESETS, ...SYNGRAD_PRESETS, ...TARGETPROP_PRESETS, ...FA_PRESETS, ...AUXVAR_PRESETS].map((preset) => preset.name);

    expect(SCHEMES.map((scheme) => scheme.name)).toEqual(["backprop", ...presets]);
  });

  test("names are unique", () => {
    const names = SCHEMES.map((scheme) => scheme.name);

    expect(new Set(names).size).toBe(names.length);
  });

  test("creates methods with the listed names", () => {
    for (const scheme of SCHEMES) expect(scheme.create().name).toBe(scheme.name);
  });

  test("dgl-async requires cpu and isolation", () => {
    expect(findScheme("proxy/dgl-async").requirements).toMatchObject({ backend: "cpu", crossOriginIsolated: true });
  });

  test("auxvar schemes train the mlp only", () => {
    expect(findScheme("auxvar/bcd").models).toEqual(["mlp"]);
    expect(findScheme("auxvar/admm").models).toEqual(["mlp"]);
    expect(findScheme("proxy/kernel").models).toBeUndefined();
  });

  test("rejects an unknown scheme listing valid ones", () => {
    expect(() => findScheme("proxy/nope")).toThrow(/Unknown scheme "proxy\/nope". Valid schemes: backprop, proxy\/kernel/);
  });
});

describe("MODELS", () => {
  test.each(MODELS.map((model) => model.name))("%s splits for every scheme", (name) => {
    for (const scheme of SCHEMES) {
      const modules = scheme.split(findModel(name).build(1));

      expect(modules.length, scheme.name).toBeGreaterThanOrEqual(2);
    }
  });

  test("rejects an unknown model", () => {
    expect(() => findModel("vgg")).toThrow(/Unknown model "vgg". Valid models: mlp, cnn/);
  });
});
