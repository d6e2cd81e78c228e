/// <reference types="@webgpu/types" />
import { describe, expect, test } from "vitest";
import { formatAdapter, recordRequestedAdapters, sameAdapter, summarizeAdapter } from "../src/index.js";

const LAVAPIPE = { vendor: "mesa", architecture: "software", device: "", description: "llvmpipe" };

/** A GPU entry point whose `requestAdapter`, on the prototype as in browsers and Dawn, hands out numbered fake adapters. */
class FakeGpu {
  handedOut = 0;

  async requestAdapter(): Promise<GPUAdapter | null> {
    this.handedOut += 1;
    return { info: { ...LAVAPIPE, device: `adapter ${this.handedOut}` } } as unknown as GPUAdapter;
  }
}

describe("adapter summaries", () => {
  test("summarizeAdapter turns missing fields into empty strings", () => {
    expect(summarizeAdapter({ vendor: "mesa" } as GPUAdapterInfo)).toEqual({ vendor: "mesa", architecture: "", device: "", description: "" });
  });

  test("formatAdapter joins the non-empty fields", () => {
    expect(formatAdapter(LAVAPIPE)).toBe("mesa software llvmpipe");
  });

  test("formatAdapter names an empty adapter.info", () => {
    expect(formatAdapter({ vendor: "", architecture: "", device: "", description: "" })).toBe("unknown adapter (adapter.info is empty)");
  });

  test("sameAdapter compares every field", () => {
    expect(sameAdapter(LAVAPIPE, { ...LAVAPIPE })).toBe(true);
    expect(sameAdapter(LAVAPIPE, { ...LAVAPIPE, description: "SwiftShader" })).toBe(false);
  });
});

describe("recordRequestedAdapters", () => {
  test("returns the adapters requested inside the body", async () => {
    const gpu = new FakeGpu();
    const { result, adapters } = await recordRequestedAdapters(gpu as unknown as GPU, async () => {
      await gpu.requestAdapter();
      await gpu.requestAdapter();
      return "done";
    });
    expect(result).toBe("done");
    expect(adapters.map((adapter) => adapter.info.device)).toEqual(["adapter 1", "adapter 2"]);
  });

  test("restores the prototype method afterwards", async () => {
    const gpu = new FakeGpu();
    await recordRequestedAdapters(gpu as unknown as GPU, async () => {});
    expect(Object.hasOwn(gpu, "requestAdapter")).toBe(false);
    expect(gpu.requestAdapter).toBe(FakeGpu.prototype.requestAdapter);
  });

  test("restores an own method afterwards, even when the body throws", async () => {
    const own = async (): Promise<null> => null;
    const gpu = { requestAdapter: own };
    const recording = recordRequestedAdapters(gpu as unknown as GPU, async () => {
      throw new Error("backend failed");
    });
    await expect(recording).rejects.toThrow("backend failed");
    expect(gpu.requestAdapter).toBe(own);
  });
});
