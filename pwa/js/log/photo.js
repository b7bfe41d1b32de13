/** Shrinking photos on the phone before they are stored: at most 1600 px on the longest side,
 * JPEG, and at most MAX_BYTES (lower quality, then smaller size, until it fits). */

export const MAX_SIDE = 1600;
export const MAX_BYTES = 300 * 1024;

function toBlob(canvas, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

/** File/Blob -> {mime, data: Uint8Array, width, height}; throws on a file that is not an image. */
export async function shrinkPhoto(file) {
  const bitmap = await createImageBitmap(file);
  let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
    for (const quality of [0.82, 0.7, 0.55, 0.4]) {
      const blob = await toBlob(canvas, quality);
      if (blob && blob.size <= MAX_BYTES) {
        bitmap.close?.();
        return { mime: "image/jpeg", data: new Uint8Array(await blob.arrayBuffer()), width, height };
      }
    }
    scale *= 0.7;
  }
  bitmap.close?.();
  throw new Error("photo too large");
}
