/**
 * The encoded messages a Sender was asked to send uncompressed
 * (`send(message, { noCompression: true })`): a transport that compresses
 * its call's messages sends these with the compressed flag clear (gRPC's
 * NoCompress write flag). A mark on the frame itself, so it travels through
 * every queue between the Sender and the transport unchanged.
 */
const uncompressed = new WeakSet<Uint8Array>();

/** Marks `frame` to go uncompressed and returns it. */
export function markUncompressed<F extends Uint8Array>(frame: F): F {
  uncompressed.add(frame);
  return frame;
}

/** Whether `frame` must go uncompressed whatever its call's compression. */
export function mustGoUncompressed(frame: Uint8Array): boolean {
  return uncompressed.has(frame);
}
