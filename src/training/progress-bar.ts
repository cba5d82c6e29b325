/**
 * A terminal progress bar for `model.fit`: epoch, batch, loss, accuracy and the time left, drawn
 * with cli-progress. On a terminal that is not interactive (CI, a pipe) it stays silent.
 */
import { SingleBar } from 'cli-progress';
import { tf } from '../tf.js';

/** Formats a metric for the bar: four decimals, or a dash before the first batch. */
function metric(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(4);
}

/**
 * A tf.js callback that draws and updates the bar; pass it in `callbacks` of `model.fit`, and call
 * `stop()` when training ends.
 *
 * @example
 * ```ts
 * const model = lenet5();
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
 * const [x, y] = [tf.randomUniform([256, 32, 32, 1]), tf.oneHot(tf.randomUniform([256], 0, 10, 'int32'), 10)];
 * const bar = progressBar({ epochs: 10, batchesPerEpoch: Math.ceil(256 / 64) });
 * await model.fit(x, y, { epochs: 10, batchSize: 64, callbacks: [bar] });
 * bar.stop();
 * ```
 *
 * @category Training
 */
export function progressBar(options: {
  /** Epochs the whole training runs (the bar covers all of them, so its ETA is for the end). */
  epochs: number;
  /** Batches per epoch: ceil(examples / batchSize). */
  batchesPerEpoch: number;
  /** The epoch the bar starts at, when `fit` is called once per epoch. Default 0. */
  startEpoch?: number;
  /** Where to draw; default `process.stderr`. */
  stream?: NodeJS.WritableStream;
}): tf.CustomCallback & {
  /** Stops drawing and leaves the last state of the bar on the terminal. */
  stop(): void;
} {
  const { epochs, batchesPerEpoch } = options;
  const bar = new SingleBar({
    format: 'epoch {epoch}/{epochs} |{bar}| batch {batch}/{batches} | loss {loss} | acc {acc} | ETA {eta_formatted}',
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    hideCursor: true,
    stream: options.stream ?? process.stderr,
    etaBuffer: 50,
  });
  let epoch = options.startEpoch ?? 0;
  let started = false;
  const payload = () => ({ epoch: epoch + 1, epochs, batches: batchesPerEpoch });
  const callback = new tf.CustomCallback({
    onEpochBegin: async () => {
      if (!started) bar.start(epochs * batchesPerEpoch, epoch * batchesPerEpoch, { ...payload(), batch: 0, loss: '-', acc: '-' });
      started = true;
    },
    onBatchEnd: async (batch, logs) => {
      bar.update(epoch * batchesPerEpoch + batch + 1, { ...payload(), batch: batch + 1, loss: metric(logs?.loss), acc: metric(logs?.acc ?? logs?.accuracy) });
    },
    onEpochEnd: async () => {
      epoch += 1;
    },
  });
  return Object.assign(callback, { stop: () => bar.stop() });
}
