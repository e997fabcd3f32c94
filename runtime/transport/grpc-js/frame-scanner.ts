/** How many messages back FrameScanner remembers the compressed flag: more than fit in HTTP/2's default 64 KiB window. */
export const FLAGS_KEPT = 65_536;

/**
 * FrameScanner follows the gRPC length-prefixed messages in a stream of
 * HTTP/2 DATA chunks without copying them: a flag byte, a 4-byte big-endian
 * length, the bytes. It tells what the decoder that delivers the messages
 * does not: which messages carried the compressed flag, and whether the
 * stream stopped in the middle of a message.
 */
export class FrameScanner {
  /** Complete messages seen so far. */
  complete = 0;
  /** The index of the first message with the compressed flag set, if any. */
  firstCompressed: number | undefined;
  /** The compressed flag of the last FLAGS_KEPT messages by index (allocated at the first flag set). */
  #flags: Uint8Array | undefined;
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
          if (byte & 1 || this.#flags) (this.#flags ??= new Uint8Array(FLAGS_KEPT))[this.complete % FLAGS_KEPT] = byte & 1;
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

  /**
   * Whether message `index` (0-based) had the compressed flag set; undefined
   * before its prefix came, and for a message more than FLAGS_KEPT back.
   */
  compressed(index: number): boolean | undefined {
    const seen = this.#prefixSeen === 0 ? this.complete : this.complete + 1;
    if (!Number.isInteger(index) || index < 0 || index >= seen || index < seen - FLAGS_KEPT) return undefined;
    return this.#flags !== undefined && this.#flags[index % FLAGS_KEPT] === 1;
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
