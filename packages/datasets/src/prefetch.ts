/**
 * Prefetching: an async iterator that prepares item i+1 while the consumer
 * works on item i. JavaScript runs one callback at a time, so "while" means
 * the next item is prepared in a macrotask queued when item i is handed
 * out. It runs as soon as the consumer awaits something that yields to the
 * event loop, such as a device readback, a timer or an I/O call.
 */
import type { Batch, BatchOptions } from "./dataset.js";

/**
 * Runs `task` in a macrotask. `setImmediate` (Node.js) and `MessageChannel`
 * (browsers) run it without the 1 ms minimum of `setTimeout(0)` in Node.js
 * and the 4 ms clamp of nested timers in browsers, which would slow every step.
 */
function queueMacrotask(task: () => void): void {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (immediate !== undefined) {
    immediate(task);
  } else if (typeof MessageChannel !== "undefined") {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      task();
    };
    channel.port2.postMessage(null);
  } else {
    setTimeout(task, 0);
  }
}

/**
 * Resolves with `iterator.next()`, called from a macrotask. The promise is
 * marked as handled, because a source error may arrive while the consumer
 * still works on the previous item. The consumer's next `await` rethrows it.
 */
function nextInMacrotask<T>(iterator: Iterator<T>): Promise<IteratorResult<T>> {
  const next = new Promise<IteratorResult<T>>((resolve, reject) => {
    queueMacrotask(() => {
      try {
        resolve(iterator.next());
      } catch (error) {
        reject(error);
      }
    });
  });
  next.catch(() => {});
  return next;
}

/**
 * Yields the items of `items` in order, preparing each next item ahead.
 * When the consumer stops early, the item prepared ahead is passed to
 * `discard` (for batches: dispose their tensors) and the source is closed.
 */
export async function* prefetch<T>(items: Iterable<T>, discard: (item: T) => void = () => {}): AsyncGenerator<T, void, undefined> {
  const iterator = items[Symbol.iterator]();
  let pending = nextInMacrotask(iterator);
  let finished = false;
  try {
    while (true) {
      const result = await pending;
      if (result.done === true) {
        finished = true;
        return;
      }
      pending = nextInMacrotask(iterator);
      yield result.value;
    }
  } finally {
    if (!finished) {
      const ahead = await pending.catch(() => undefined);
      if (ahead !== undefined && ahead.done !== true) discard(ahead.value);
      iterator.return?.();
    }
  }
}

/**
 * Yields the batches of `source.batches(options)`, preparing batch i+1 (its
 * shuffle gather, augmentation and upload) while the consumer works on batch
 * i. The consumer owns each batch it receives and disposes its tensors.
 */
export function prefetchBatches(
  source: { batches(options: BatchOptions): Iterable<Batch> },
  options: BatchOptions,
): AsyncGenerator<Batch, void, undefined> {
  return prefetch(source.batches(options), (batch) => {
    batch.x.dispose();
    batch.y.dispose();
  });
}
