/**
 * FrameScanner follows the gRPC length-prefixed messages in a stream of
 * HTTP/2 DATA chunks without copying them: a flag byte, a 4-byte big-endian
 * length, the bytes. It tells what the decoder that delivers the messages
 * does not: which message carried the compressed flag, and whether the
 * stream stopped in the middle of a message.
 */
export class FrameScanner {
  /** Complete messages seen so far. */
  complete = 0;
  /** The index of the first message with the compressed flag set, if any. */
  firstCompressed: number | undefined;
  /** Bytes of the current message's 5-byte prefix seen (0: between messages). */
  #prefixSeen = 0;
  #length = 0;
  /** Bytes of the current message's body still to come. */
  #remaining = 0;

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#prefixSeen < 5) {
        const byte = chunk[at++]!;
        if (this.#prefixSeen === 0) {
          if (byte & 1) this.firstCompressed ??= this.complete;
          this.#length = 0;
        } else {
          this.#length = this.#length * 256 + byte;
        }
        if (++this.#prefixSeen === 5) {
          this.#remaining = this.#length;
          if (this.#remaining === 0) this.#endMessage();
        }
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      at += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#endMessage();
    }
  }

  /** The message the stream stopped in, if it did: its promised length and the bytes that came (prefix excluded). */
  cutShort(): { expected: number; received: number } | undefined {
    if (this.#prefixSeen === 0) return undefined;
    return this.#prefixSeen < 5 ? { expected: 0, received: 0 } : { expected: this.#length, received: this.#length - this.#remaining };
  }

  #endMessage(): void {
    this.complete++;
    this.#prefixSeen = 0;
  }
}
