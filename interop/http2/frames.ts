// HTTP/2 frames as bytes (RFC 9113 §4, §6): just enough to play a misbehaving server by hand.

export const FRAME = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, PING: 0x6, GOAWAY: 0x7, WINDOW_UPDATE: 0x8, CONTINUATION: 0x9 } as const;
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
export const SETTING = { MAX_CONCURRENT_STREAMS: 0x3, INITIAL_WINDOW_SIZE: 0x4 } as const;
export const ERROR = { NO_ERROR: 0x0, PROTOCOL_ERROR: 0x1, REFUSED_STREAM: 0x7 } as const;

/** What every client sends first, before its SETTINGS. */
export const CLIENT_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const HEADER_SIZE = 9;
/** The initial flow-control window of every stream and of the connection (RFC 9113 §6.9.2). */
export const DEFAULT_WINDOW = 65_535;
/** The largest frame payload a peer must accept without asking for more (SETTINGS_MAX_FRAME_SIZE default). */
export const MAX_FRAME_PAYLOAD = 16_384;

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

export function encodeFrame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

export function settingsFrame(settings: ReadonlyArray<readonly [id: number, value: number]>): Buffer {
  const payload = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return encodeFrame(FRAME.SETTINGS, 0, 0, payload);
}

export const settingsAck = (): Buffer => encodeFrame(FRAME.SETTINGS, FLAG.ACK, 0);

export function pingFrame(opaque: Buffer, ack: boolean): Buffer {
  return encodeFrame(FRAME.PING, ack ? FLAG.ACK : 0, 0, opaque);
}

export function rstStreamFrame(streamId: number, errorCode: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(errorCode);
  return encodeFrame(FRAME.RST_STREAM, 0, streamId, payload);
}

export function goawayFrame(lastStreamId: number, errorCode: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(errorCode, 4);
  return encodeFrame(FRAME.GOAWAY, 0, 0, payload);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment & 0x7fffffff);
  return encodeFrame(FRAME.WINDOW_UPDATE, 0, streamId, payload);
}

export function headersFrame(streamId: number, block: Buffer, endStream: boolean): Buffer {
  return encodeFrame(FRAME.HEADERS, FLAG.END_HEADERS | (endStream ? FLAG.END_STREAM : 0), streamId, block);
}

/** A DATA frame; with `padding` > 0 it is PADDED: a pad-length byte, the data, then that many zero bytes. */
export function dataFrame(streamId: number, data: Buffer, endStream: boolean, padding = 0): Buffer {
  const flags = (endStream ? FLAG.END_STREAM : 0) | (padding > 0 ? FLAG.PADDED : 0);
  const payload = padding > 0 ? Buffer.concat([Buffer.of(padding), data, Buffer.alloc(padding)]) : data;
  return encodeFrame(FRAME.DATA, flags, streamId, payload);
}

/** The data of a DATA frame, without its padding. */
export function dataOf(frame: Frame): Buffer {
  if (!(frame.flags & FLAG.PADDED)) return frame.payload;
  const padding = frame.payload[0]!;
  return frame.payload.subarray(1, frame.payload.length - padding);
}

/** The header block fragment of a HEADERS frame, without padding and priority fields. */
export function headerBlockOf(frame: Frame): Buffer {
  let start = 0;
  let end = frame.payload.length;
  if (frame.flags & FLAG.PADDED) {
    end -= frame.payload[0]!;
    start = 1;
  }
  if (frame.flags & FLAG.PRIORITY) start += 5;
  return frame.payload.subarray(start, end);
}

export function parseSettings(payload: Buffer): Map<number, number> {
  const settings = new Map<number, number>();
  for (let i = 0; i + 6 <= payload.length; i += 6) settings.set(payload.readUInt16BE(i), payload.readUInt32BE(i + 2));
  return settings;
}

/** Splits a byte stream into frames; feed it what the socket reads. */
export class FrameReader {
  #buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buffered = this.#buffered.length ? Buffer.concat([this.#buffered, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.#buffered.length >= HEADER_SIZE) {
      const length = this.#buffered.readUIntBE(0, 3);
      if (this.#buffered.length < HEADER_SIZE + length) break;
      frames.push({
        type: this.#buffered[3]!,
        flags: this.#buffered[4]!,
        streamId: this.#buffered.readUInt32BE(5) & 0x7fffffff,
        payload: Buffer.from(this.#buffered.subarray(HEADER_SIZE, HEADER_SIZE + length)),
      });
      this.#buffered = this.#buffered.subarray(HEADER_SIZE + length);
    }
    return frames;
  }
}
