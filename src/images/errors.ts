/**
 * An image that cannot be read: a missing file, bytes that sharp cannot decode (not an image, a
 * truncated file), or no sharp installed to decode it. The message names the image (its path, or
 * which buffer of the batch) and says why, in one line.
 *
 * @category Images
 */
export class ImageError extends Error {
  /** The image concerned: its path, or a description of the buffer (`image 2 of 3 (a 1,024-byte buffer)`); undefined when sharp is missing. */
  readonly image?: string;

  constructor(image: string | undefined, message: string, options: { cause?: unknown } = {}) {
    super(image === undefined ? message : `${image}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ImageError';
    if (image !== undefined) this.image = image;
  }
}
