// gRPC over the hand-written server's frames: the length-prefixed message framing and the
// response headers and trailers of a plain identity-encoded call.

export const RESPONSE_HEADERS = [
  [":status", "200"],
  ["content-type", "application/grpc"],
] as const;

export const OK_TRAILERS = [
  ["grpc-status", "0"],
  ["grpc-message", ""],
] as const;

/** One message as it goes in DATA: a zero compressed-flag byte, a 4-byte length, the bytes. */
export function frameMessage(message: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** The complete messages in a request body; a truncated last one is left out. */
export function messagesIn(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= body.length) {
    const length = body.readUInt32BE(offset + 1);
    if (offset + 5 + length > body.length) break;
    messages.push(body.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return messages;
}
