import type { RpcError } from "../../core/errors.js";
import { Code } from "../../core/code.js";
import { Metadata } from "../../core/metadata.js";
import { BaseServerCall } from "../../server/base-call.js";
import type { Inbound, Outbound } from "../../stream/ports.js";
import type { InMemoryClientCall } from "./client-call.js";

/**
 * InMemoryServerCall is the server end of one in-memory call: BaseServerCall's
 * headers, trailers, status, cancellation and deadline, over the pipes of
 * its client end. There is no END_STREAM/RST_STREAM race in memory, so a
 * half-close counts at once. It is used by the runtime only.
 */
export class InMemoryServerCall extends BaseServerCall {
  readonly peer = "in-memory";
  readonly #client: InMemoryClientCall;

  constructor(method: string, client: InMemoryClientCall, metadata: Metadata, deadline: number | undefined, request: Buffer | undefined) {
    super(method, metadata, deadline === undefined ? undefined : new Date(deadline), request);
    this.#client = client;
    void client.left.then((reason) => this.cancel(reason));
  }

  /** The request stream: the handler's reads are what make room for the client's writes. */
  inbound(): Inbound {
    const requests = this.#client.requests;
    requests.onData(() => this.wakeReader());
    return this.inboundPort({
      readFrame: () => requests.shift() ?? null,
      requestsEnded: () => this.cancellation() ?? (requests.ended && requests.size === 0 ? "ok" : undefined),
    });
  }

  /** The response stream: a send waits while the client's side of the pipe is full. */
  outbound(): Outbound {
    const responses = this.#client.responses;
    responses.onRoom(() => this.wakeWriter());
    return this.outboundPort({
      writeFrame: (frame) => {
        // gRPC sends headers (empty ones, if the handler set none) before the first message.
        this.sendHeaders();
        responses.push(frame);
        return responses.hasRoom;
      },
      hasRoom: () => responses.hasRoom,
    });
  }

  protected sendHeaderFrame(headers: Metadata | undefined): void {
    this.#client.receiveHeaders(headers ?? new Metadata());
  }

  protected sendResponse(frame: Buffer, trailers: Metadata | undefined): void {
    this.#client.responses.push(frame);
    this.sendOk(trailers);
  }

  // The client keeps the trailers it is handed: a copy, so a later setTrailer does not reach it.
  protected sendOk(trailers: Metadata | undefined): void {
    this.#client.receiveStatus(Code.OK, "OK", new Metadata(trailers));
  }

  protected sendError(status: RpcError, trailers: Metadata | undefined, statusDetails: Uint8Array | undefined): void {
    this.#client.receiveStatus(status.code, status.details, new Metadata(trailers), statusDetails);
  }
}
