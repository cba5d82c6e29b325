/**
 * Progress of a read, for a progress bar: bytes of tensor data read so far, of how many. Headers,
 * pickles and zip directories are not counted; they are small and read first.
 */

/**
 * How far a weight file's reading is.
 *
 * @category Import
 */
export interface ReadProgress {
  /** Bytes of tensor data read so far. */
  bytesRead: number;
  /** Bytes of tensor data the file has to give (known before the first tensor is read). */
  totalBytes: number;
}

/**
 * How a weight file is read.
 *
 * @category Import
 */
export interface ReadOptions {
  /**
   * Called once with `bytesRead: 0` when the total is known, then after every chunk of at most
   * 16 MiB; the last call has `bytesRead === totalBytes`.
   */
  onProgress?: (progress: ReadProgress) => void;
}

/** The largest read between two progress reports. */
export const PROGRESS_CHUNK_BYTES = 16 * 1024 * 1024;

/** Counts the bytes read against the total and reports them. */
export class ProgressCounter {
  private bytesRead = 0;

  constructor(
    private readonly totalBytes: number,
    private readonly onProgress: ReadOptions['onProgress'],
  ) {
    onProgress?.({ bytesRead: 0, totalBytes });
  }

  add(bytes: number): void {
    if (bytes === 0) return;
    this.bytesRead += bytes;
    this.onProgress?.({ bytesRead: this.bytesRead, totalBytes: this.totalBytes });
  }
}
