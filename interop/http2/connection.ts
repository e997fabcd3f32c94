// One client connection to a hand-written HTTP/2 server: the preface and SETTINGS exchange, PING
// acks, flow control both ways, and stream bookkeeping. What the server answers is its behaviour's.
import type { Socket } from "node:net";
import {
  CLIENT_PREFACE,
  DEFAULT_WINDOW,
  FLAG,
  FRAME,
  FrameReader,
  MAX_FRAME_PAYLOAD,
  SETTING,
  dataFrame,
  dataOf,
  goawayFrame,
  headersFrame,
  parseSettings,
  pingFrame,
  rstStreamFrame,
  settingsAck,
  settingsFrame,
  windowUpdateFrame,
  type Frame,
} from "./frames.js";
import { encodeHeaderBlock } from "./hpack.js";

/** A stream the client opened, as the server sees it. */
export interface ClientStream {
  readonly id: number;
  /** Request DATA received so far (padding removed). */
  readonly received: Buffer[];
  receivedBytes: number;
  /** The client half-closed (END_STREAM). */
  halfClosed: boolean;
  /** Ended by the server (END_STREAM or RST_STREAM sent) or reset by the client. */
  closed: boolean;
  /** What the client still lets us send on this stream. */
  sendWindow: number;
}

export interface ConnectionBehaviour {
  /** SETTINGS sent first; the client's ACK of them is `settingsAcked`. */
  readonly settings?: ReadonlyArray<readonly [number, number]>;
  /** Whether a stream's received DATA is given back to the client as WINDOW_UPDATEs. A server that never does stalls a large request at 64 KiB. */
  readonly grantStreamWindow: boolean;
  /** A stream opened (its request HEADERS arrived). */
  onStreamOpened?(conn: Connection, stream: ClientStream): void;
  /** More request DATA arrived, or the client half-closed. */
  onRequestData?(conn: Connection, stream: ClientStream): void;
}

export class Connection {
  readonly #socket: Socket;
  readonly #behaviour: ConnectionBehaviour;
  readonly #reader = new FrameReader();
  readonly streams = new Map<number, ClientStream>();
  #prefaceSeen = false;
  #pending: Buffer = Buffer.alloc(0);
  #connectionSendWindow = DEFAULT_WINDOW;
  #initialStreamWindow = DEFAULT_WINDOW;
  #windowWaiters: Array<() => void> = [];
  #nextPing = 0;
  /** PINGs we sent that the client has not acknowledged yet, by opaque data (hex). */
  readonly unackedPings = new Set<string>();
  pingsSent = 0;
  settingsAcked = false;
  goawaySent = false;
  /** The most streams that were open at once after the client acknowledged our SETTINGS. */
  maxOpenAfterSettings = 0;
  readonly closed: Promise<void>;

  constructor(socket: Socket, behaviour: ConnectionBehaviour) {
    this.#socket = socket;
    this.#behaviour = behaviour;
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => this.#onBytes(chunk));
    socket.on("error", () => {}); // a client going away mid-write is part of these cases
    socket.once("close", () => this.#wakeWindowWaiters());
    this.#send(settingsFrame(behaviour.settings ?? []));
  }

  get socketClosed(): boolean {
    return this.#socket.destroyed;
  }

  get openStreams(): number {
    let open = 0;
    for (const stream of this.streams.values()) if (!stream.closed) open++;
    return open;
  }

  sendHeaders(stream: ClientStream, fields: ReadonlyArray<readonly [string, string]>, endStream = false): void {
    this.#send(headersFrame(stream.id, encodeHeaderBlock(fields), endStream));
    if (endStream) stream.closed = true;
  }

  /**
   * Sends `data` as DATA frames of at most `frameData` bytes each (plus `padding` pad bytes), as
   * the client's flow-control windows allow. Resolves once all is sent, or false if the stream or
   * connection ended first.
   */
  async sendData(stream: ClientStream, data: Buffer, options: { frameData?: number; padding?: number; endStream?: boolean } = {}): Promise<boolean> {
    const padding = options.padding ?? 0;
    const frameData = Math.min(options.frameData ?? MAX_FRAME_PAYLOAD, MAX_FRAME_PAYLOAD - (padding > 0 ? padding + 1 : 0));
    let offset = 0;
    do {
      const chunk = data.subarray(offset, offset + frameData);
      // Padding and its length byte count against flow control (RFC 9113 §6.1).
      const cost = chunk.length + (padding > 0 ? padding + 1 : 0);
      while (this.#connectionSendWindow < cost || stream.sendWindow < cost) {
        if (stream.closed || this.socketClosed) return false;
        await new Promise<void>((resolve) => this.#windowWaiters.push(resolve));
      }
      if (stream.closed || this.socketClosed) return false;
      offset += chunk.length;
      const last = offset >= data.length;
      this.#connectionSendWindow -= cost;
      stream.sendWindow -= cost;
      this.#send(dataFrame(stream.id, chunk, last && options.endStream === true, padding));
    } while (offset < data.length);
    if (options.endStream) stream.closed = true;
    return true;
  }

  resetStream(stream: ClientStream, errorCode: number): void {
    this.#send(rstStreamFrame(stream.id, errorCode));
    stream.closed = true;
    this.#wakeWindowWaiters();
  }

  goaway(lastStreamId: number, errorCode: number): void {
    this.goawaySent = true;
    this.#send(goawayFrame(lastStreamId, errorCode));
  }

  ping(): void {
    const opaque = Buffer.alloc(8);
    opaque.writeUInt32BE(++this.#nextPing, 4);
    this.unackedPings.add(opaque.toString("hex"));
    this.pingsSent++;
    this.#send(pingFrame(opaque, false));
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #send(bytes: Buffer): void {
    if (!this.socketClosed) this.#socket.write(bytes);
  }

  #onBytes(chunk: Buffer): void {
    if (!this.#prefaceSeen) {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      if (this.#pending.length < CLIENT_PREFACE.length) return;
      if (!this.#pending.subarray(0, CLIENT_PREFACE.length).equals(CLIENT_PREFACE)) return this.destroy();
      this.#prefaceSeen = true;
      chunk = this.#pending.subarray(CLIENT_PREFACE.length);
    }
    for (const frame of this.#reader.push(chunk)) this.#onFrame(frame);
  }

  #onFrame(frame: Frame): void {
    switch (frame.type) {
      case FRAME.SETTINGS:
        if (frame.flags & FLAG.ACK) {
          this.settingsAcked = true;
          return;
        }
        this.#applySettings(parseSettings(frame.payload));
        this.#send(settingsAck());
        return;
      case FRAME.PING:
        if (frame.flags & FLAG.ACK) this.unackedPings.delete(frame.payload.toString("hex"));
        else this.#send(pingFrame(frame.payload, true));
        return;
      case FRAME.WINDOW_UPDATE:
        this.#onWindowUpdate(frame.streamId, frame.payload.readUInt32BE(0) & 0x7fffffff);
        return;
      case FRAME.HEADERS:
        return this.#onHeaders(frame);
      case FRAME.DATA:
        return this.#onData(frame);
      case FRAME.RST_STREAM: {
        const stream = this.streams.get(frame.streamId);
        if (stream) stream.closed = true;
        this.#wakeWindowWaiters();
        return;
      }
      // GOAWAY, PRIORITY, CONTINUATION (our clients' header blocks fit in one frame): nothing to do.
    }
  }

  #applySettings(settings: Map<number, number>): void {
    const initial = settings.get(SETTING.INITIAL_WINDOW_SIZE);
    if (initial === undefined) return;
    // A new initial window shifts every stream's window by the difference (RFC 9113 §6.9.2).
    for (const stream of this.streams.values()) stream.sendWindow += initial - this.#initialStreamWindow;
    this.#initialStreamWindow = initial;
    this.#wakeWindowWaiters();
  }

  #onWindowUpdate(streamId: number, increment: number): void {
    if (streamId === 0) this.#connectionSendWindow += increment;
    else {
      const stream = this.streams.get(streamId);
      if (stream) stream.sendWindow += increment;
    }
    this.#wakeWindowWaiters();
  }

  #onHeaders(frame: Frame): void {
    if (this.streams.has(frame.streamId)) {
      // Request trailers: a gRPC client sends none, but END_STREAM may ride on them.
      if (frame.flags & FLAG.END_STREAM) this.#halfClose(this.streams.get(frame.streamId)!);
      return;
    }
    const stream: ClientStream = { id: frame.streamId, received: [], receivedBytes: 0, halfClosed: false, closed: false, sendWindow: this.#initialStreamWindow };
    this.streams.set(stream.id, stream);
    if (this.settingsAcked) this.maxOpenAfterSettings = Math.max(this.maxOpenAfterSettings, this.openStreams);
    this.#behaviour.onStreamOpened?.(this, stream);
    if (frame.flags & FLAG.END_STREAM) this.#halfClose(stream);
  }

  #onData(frame: Frame): void {
    const stream = this.streams.get(frame.streamId);
    if (frame.payload.length > 0) {
      // The connection window is always given back, so one stalled stream does not stall the others.
      this.#send(windowUpdateFrame(0, frame.payload.length));
      if (this.#behaviour.grantStreamWindow && stream && !stream.halfClosed && !(frame.flags & FLAG.END_STREAM)) this.#send(windowUpdateFrame(stream.id, frame.payload.length));
    }
    if (!stream) return;
    const data = dataOf(frame);
    stream.received.push(data);
    stream.receivedBytes += data.length;
    if (frame.flags & FLAG.END_STREAM) this.#halfClose(stream);
    else this.#behaviour.onRequestData?.(this, stream);
  }

  #halfClose(stream: ClientStream): void {
    stream.halfClosed = true;
    this.#behaviour.onRequestData?.(this, stream);
  }

  #wakeWindowWaiters(): void {
    const waiters = this.#windowWaiters;
    this.#windowWaiters = [];
    for (const wake of waiters) wake();
  }
}
