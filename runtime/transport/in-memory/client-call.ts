import type { TransportCall, TransportCallListener } from "../../client/channel.js";
import { Code } from "../../core/code.js";
import { RpcError } from "../../core/errors.js";
import { Metadata } from "../../core/metadata.js";
import { FramePipe } from "./frame-pipe.js";

interface Status {
  readonly code: Code;
  readonly details: string;
  readonly trailers: Metadata;
  /** The grpc-status-details-bin of a failed status, if the error had details. */
  readonly statusDetails: Uint8Array | undefined;
}

interface HeldWrite {
  readonly frame: Buffer;
  readonly onWritten: (() => void) | undefined;
}

/**
 * InMemoryClientCall is the client end of one in-memory call: the
 * TransportCall a ClientStream drives, and what the server side answers to.
 * Every event reaches the listener in a microtask of its own, never inside
 * the write, startRead or cancel that caused it, as on a real transport.
 */
export class InMemoryClientCall implements TransportCall {
  /** Requests, client to server: a write counts as written once it is in here. */
  readonly requests = new FramePipe();
  /** Responses, server to client: the server's sends wait while it is full. */
  readonly responses = new FramePipe();
  /** Resolves with what the server side sees once the client gave up (cancel, deadline); pending otherwise. */
  readonly left: Promise<RpcError>;
  readonly #listener: TransportCallListener;
  /** Writes waiting for room in `requests` (one at most from a ClientStream, which waits for onWritten). */
  readonly #held: HeldWrite[] = [];
  #halfCloseRequested = false;
  #readRequested = false;
  /** The server's status, waiting for the responses before it to be read (an OK one) or for the next turn. */
  #status: Status | undefined;
  /** The status went to the listener, or the client gave up: nothing more is delivered. */
  #over = false;
  #gaveUp = false;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #resolveLeft!: (reason: RpcError) => void;

  constructor(listener: TransportCallListener, deadline: number | undefined) {
    this.#listener = listener;
    this.left = new Promise((resolve) => (this.#resolveLeft = resolve));
    this.requests.onRoom(() => this.#admit());
    this.responses.onData(() => this.#pump());
    if (deadline !== undefined) {
      const passed = () => this.#giveUp(Code.DEADLINE_EXCEEDED, "Deadline exceeded", new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded"));
      this.#deadlineTimer = setTimeout(passed, Math.max(0, deadline - Date.now()));
    }
  }

  /** Whether the client cancelled the call or its deadline passed. */
  get gaveUp(): boolean {
    return this.#gaveUp;
  }

  // TransportCall (the ClientStream's side)

  write(frame: Buffer, onWritten?: () => void): void {
    if (this.#over) return;
    this.#held.push({ frame, onWritten });
    this.#admit();
  }

  halfClose(): void {
    if (this.#over) return;
    this.#halfCloseRequested = true;
    this.#admit();
  }

  startRead(): void {
    if (this.#over) return;
    this.#readRequested = true;
    this.#pump();
  }

  cancel(code: Code, details: string): void {
    // Whatever the client's reason, the server sees what an RST_STREAM CANCEL tells it.
    this.#giveUp(code, details, new RpcError(Code.CANCELLED, "the client cancelled the call"));
  }

  // The server side's

  receiveHeaders(headers: Metadata): void {
    if (this.#over || this.#status) return;
    const copy = new Metadata(headers);
    this.#deliver(() => this.#listener.onHeaders(() => copy));
  }

  /** The server's status. A failure is reported at once, dropping unread responses (as grpc-js does); OK waits for them. */
  receiveStatus(code: Code, details: string, trailers: Metadata, statusDetails?: Uint8Array): void {
    if (this.#over || this.#status) return;
    // Copied, as every frame is: neither side sees the other's buffer.
    this.#status = { code, details, trailers: new Metadata(trailers), statusDetails: statusDetails && Uint8Array.from(statusDetails) };
    // The server reads nothing more: later writes are taken and dropped, so no send waits for it.
    this.requests.discard();
    if (code !== Code.OK) this.responses.discard();
    this.#pump();
  }

  /** Moves held writes into `requests` while it has room; the half-close follows the last of them. */
  #admit(): void {
    while (this.#held.length > 0 && this.requests.hasRoom && !this.#over) {
      const { frame, onWritten } = this.#held.shift()!;
      this.requests.push(frame);
      if (onWritten) this.#deliver(onWritten);
    }
    if (this.#held.length === 0 && this.#halfCloseRequested) this.requests.end();
  }

  /** Delivers the next response if one was asked for, then the status once no response is left before it. */
  #pump(): void {
    if (this.#over) return;
    if (this.#readRequested) {
      const frame = this.responses.shift();
      if (frame) {
        this.#readRequested = false;
        this.#deliver(() => this.#listener.onMessage(frame));
      }
    }
    const status = this.#status;
    if (status && this.responses.size === 0) {
      this.#end();
      queueMicrotask(() => this.#listener.onStatus(status.code, status.details, () => status.trailers, status.statusDetails));
    }
  }

  /** The client ends the call: it gets `code` at once, the server side `forServer` a microtask later. */
  #giveUp(code: Code, details: string, forServer: RpcError): void {
    if (this.#over) return;
    this.#end();
    this.#gaveUp = true;
    this.#held.length = 0;
    this.responses.discard();
    queueMicrotask(() => this.#resolveLeft(forServer));
    queueMicrotask(() => this.#listener.onStatus(code, details, () => new Metadata()));
  }

  #end(): void {
    this.#over = true;
    clearTimeout(this.#deadlineTimer);
  }

  /** Runs `event` in a microtask, unless the client gave up in between. */
  #deliver(event: () => void): void {
    queueMicrotask(() => {
      if (!this.#gaveUp) event();
    });
  }
}
