/** Seeded random crop with zero padding and horizontal flip. */
import { describe, expect, test } from "vitest";
import { augmented, augmentImages, Dataset, type HostBatch } from "../src/index.js";

/** One 1 × 3 × 3 image with values 1..9, row-major. */
const IMAGE = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

/** `count` images of shape [2, 4, 4] whose values identify sample, channel and pixel. */
function images(count: number): Dataset {
  const values = Float32Array.from({ length: count * 32 }, (_, i) => i + 1);
  return new Dataset({ name: "images", images: values, labels: new Int32Array(count), sampleShape: [2, 4, 4], classes: 1 });
}

function arrays(dataset: ReturnType<typeof augmented>, seed: number, epoch: number, batchSize = 3): Float32Array[] {
  return [...dataset.batchArrays({ batchSize, seed, epoch })].map((batch) => batch.x);
}

describe("augmentation", () => {
  test("flip only mirrors rows or leaves the image", () => {
    const batch: HostBatch = { x: IMAGE, y: new Int32Array(1), count: 1, start: 0 };
    const seen = new Set<string>();
    for (let epoch = 0; epoch < 20; epoch++) {
      seen.add(Array.from(augmentImages(batch, [1, 3, 3], { seed: 1, epoch }, { horizontalFlip: true })).join());
    }

    expect([...seen].sort()).toEqual(["1,2,3,4,5,6,7,8,9", "3,2,1,6,5,4,9,8,7"]);
  });

  test("crop shifts the image and fills with zeros", () => {
    const batch: HostBatch = { x: IMAGE, y: new Int32Array(1), count: 1, start: 0 };
    const seen = new Set<string>();
    for (let epoch = 0; epoch < 200; epoch++) {
      seen.add(Array.from(augmentImages(batch, [1, 3, 3], { seed: 1, epoch }, { cropPadding: 1 })).join());
    }

    // Shifts of −1, 0 or +1 in each axis: 9 distinct images, among them the original and a shift right and down.
    expect(seen.size).toBe(9);
    expect(seen).toContain("1,2,3,4,5,6,7,8,9");
    expect(seen).toContain("0,0,0,0,1,2,0,4,5");
  });

  test("same seed and epoch give the same batches", () => {
    const source = augmented(images(7), { cropPadding: 2, horizontalFlip: true });

    expect(arrays(source, 3, 1)).toEqual(arrays(source, 3, 1));
  });

  test("another epoch or seed gives other batches", () => {
    const source = augmented(images(7), { cropPadding: 2, horizontalFlip: true });

    expect(arrays(source, 3, 2)).not.toEqual(arrays(source, 3, 1));
    expect(arrays(source, 4, 1)).not.toEqual(arrays(source, 3, 1));
  });

  test("draws do not depend on the batch size", () => {
    const source = augmented(images(7), { cropPadding: 2, horizontalFlip: true });
    const flat = (batches: Float32Array[]) => batches.flatMap((batch) => Array.from(batch));

    expect(flat(arrays(source, 3, 1, 2))).toEqual(flat(arrays(source, 3, 1, 7)));
  });

  test("labels and order follow the plain dataset", () => {
    const plain = images(5);
    const source = augmented(plain, { horizontalFlip: true });
    const labels = (batches: Iterable<HostBatch>) => [...batches].flatMap((batch) => Array.from(batch.y));

    expect(labels(source.batchArrays({ batchSize: 2, seed: 5, epoch: 1 }))).toEqual(labels(plain.batchArrays({ batchSize: 2, seed: 5, epoch: 1 })));
  });

  test("batches are tensors of the sample shape", () => {
    const [first] = augmented(images(3), { cropPadding: 1 }).batches({ batchSize: 2, seed: 0, epoch: 0 });

    expect(first!.x.shape).toEqual([2, 2, 4, 4]);
    expect(first!.y.shape).toEqual([2]);
    first!.x.dispose();
    first!.y.dispose();
  });

  test("rejects samples that are not images", () => {
    const flat = new Dataset({ name: "flat", images: new Float32Array(4), labels: new Int32Array(2), sampleShape: [2], classes: 1 });

    expect(() => augmented(flat, { horizontalFlip: true })).toThrow(/shape \[2\], but crop and flip need images of shape \[C, H, W\]/);
  });

  test("rejects a negative padding", () => {
    expect(() => augmented(images(1), { cropPadding: -1 })).toThrow(/cropPadding -1 is invalid/);
  });
});
