// A call that goes through client interceptors. The caller's Sender and Receiver stay outermost
// (InterceptedStream is their Outbound and Inbound, over messages), so their rules hold whatever
// the interceptors do; the chain's last step (transportNext) encodes, starts a ClientStream on the
// Channel and decodes. Messages move one at a time at every step: a send resolves once the chain
// pulled it, and the transport reads the next response only when the chain asks for it.
import type { ResolvedCall } from "../core/call-options.js";
import { encodeMessage } from "../core/codec.js";
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import { Metadata } from "../core/metadata.js";
import type { AnyMethodDefinition } from "../core/method.js";
import { decodedMessages, MessageSlot, OneMessage, PulledInbound } from "../stream/message-ports.js";
import type { Inbound, Outbound } from "../stream/ports.js";
import type { Channel } from "./channel.js";
import type { ClientStream } from "./client-call.js";
import { interceptorFailure, type ClientNext, type ClientRequest, type ClientResponse } from "../core/interceptor.js";

/** The chain's last step: the call itself on `channel`, with the observers and compression of the caller's options. */
export function transportNext(channel: Channel, observers: Pick<ResolvedCall, "onHeaders" | "onTrailers" | "compression">): ClientNext {
  return async (request) => {
    const { method } = request;
    const single = method.kind === "unary" || method.kind === "client_streaming";
    const options: ResolvedCall = { metadata: request.metadata, deadline: request.deadline, signal: request.signal, onHeaders: observers.onHeaders, onTrailers: observers.onTrailers, compression: observers.compression };
    const stream = channel.startCall(method.path, options, single ? "single" : "stream", true);
    if (method.kind === "unary" || method.kind === "server_streaming") void sendOnlyRequest(request.messages, stream, method);
    else void pumpRequests(request.messages, stream, method);
    const headers = await stream.headers;
    const outcome = stream.ended();
    // Ended before any headers came (a trailers-only error, a refused start): that is next()'s failure.
    if (outcome instanceof RpcError && !stream.receivedHeaders) throw outcome;
    return { headers, messages: responsesOf(stream, method), trailers: stream.trailers, outcome: stream.done };
  };
}

/**
 * The one request of a unary or server-streaming call, written with the
 * half-close in the same turn (as without interceptors: the server runs a
 * unary handler only once the request stream ended, so a separate half-close
 * after the write's callback would cost a round of the event loop per call).
 */
async function sendOnlyRequest(messages: AsyncIterable<unknown>, stream: ClientStream, method: AnyMethodDefinition): Promise<void> {
  // The caller's own request, passed on unchanged by the interceptors: no iteration needed.
  if (messages instanceof OneMessage) {
    try {
      stream.sendOnly(encodeMessage(method.requestCodec, messages.message, "the request", false, method.path));
    } catch (err) {
      stream.endWith(interceptorFailure(err));
    }
    return;
  }
  const source = messages[Symbol.asyncIterator]();
  try {
    const first = await source.next();
    if (first.done) throw new RpcError(Code.INTERNAL, `no request message for ${method.kind} method ${method.path}`);
    const second = await source.next();
    if (!second.done) {
      void source.return?.()?.catch(() => {});
      throw new RpcError(Code.INTERNAL, `more than one request message for ${method.kind} method ${method.path}`);
    }
    if (stream.ended() === undefined) stream.sendOnly(encodeMessage(method.requestCodec, first.value, "the request", false, method.path));
  } catch (err) {
    stream.endWith(interceptorFailure(err));
  }
}

/** Encodes and writes the requests the chain hands down, one at a time, and half-closes after the last. */
async function pumpRequests(messages: AsyncIterable<unknown>, stream: ClientStream, method: AnyMethodDefinition): Promise<void> {
  const source = messages[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await source.next();
      if (stream.ended() !== undefined) {
        if (!next.done) void source.return?.()?.catch(() => {});
        return;
      }
      if (next.done) return stream.end();
      // The one encode policy (codec.ts); a message that does not encode ends the call INTERNAL.
      if (!stream.write(encodeMessage(method.requestCodec, next.value, "the request", false, method.path))) await stream.drained();
    }
  } catch (err) {
    stream.endWith(interceptorFailure(err));
  }
}

/** The responses of `stream`, decoded, pulled one at a time; leaving early cancels the call. */
async function* responsesOf(stream: ClientStream, method: AnyMethodDefinition): AsyncGenerator<unknown, void, undefined> {
  let finished = false;
  try {
    yield* decodedMessages(stream, method.responseCodec, "the response");
    finished = true;
  } finally {
    // A no-op once the call ended; otherwise the chain left early, or a response did not decode.
    if (!finished) stream.endWith(new RpcError(Code.CANCELLED, "response stream left early"));
  }
}

/**
 * The caller's side of an intercepted streaming call: the Outbound its Sender
 * writes messages to (a one-message slot the chain pulls from) and the
 * Inbound its Receiver reads from (the chain's response messages, pulled on
 * demand), with the call's headers, trailers and end.
 */
export class InterceptedStream implements Outbound<unknown>, Inbound<unknown> {
  readonly headers: Promise<Metadata>;
  readonly trailers: Promise<Metadata>;
  readonly done: Promise<RpcError | "ok">;
  #resolveHeaders!: (md: Metadata) => void;
  #resolveTrailers!: (md: Metadata) => void;
  #resolveDone!: (outcome: RpcError | "ok") => void;
  #outcome: RpcError | "ok" | undefined;
  readonly #abort = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #onAbort = () => this.cancel(this.#userSignal?.reason);
  readonly #requests: MessageSlot;
  readonly #responses: PulledInbound;
  #response: ClientResponse | undefined;

  readonly #untrack: () => void;

  constructor(channel: Channel, chain: ClientNext, method: AnyMethodDefinition, options: ResolvedCall) {
    this.headers = new Promise((resolve) => (this.#resolveHeaders = resolve));
    this.trailers = new Promise((resolve) => (this.#resolveTrailers = resolve));
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    const ended = () => this.#outcome;
    this.#requests = new MessageSlot(ended, this.done);
    this.#responses = new PulledInbound(
      ended,
      (failure) => {
        // The chain's responses ended: cleanly, or with what it threw; the trailers come with the end.
        const outcome = failure === undefined ? "ok" : interceptorFailure(failure);
        void (this.#response?.trailers ?? Promise.resolve(new Metadata())).then((trailers) => this.#finish(outcome, trailers));
      },
      (reason) => this.endWith(reason),
    );
    this.#userSignal = options.signal;
    // channel.close() ends this call too, also while an interceptor still awaits before next().
    this.#untrack = channel.track(this);
    if (options.signal?.aborted) this.cancel(options.signal.reason);
    else options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    const request: ClientRequest = { method, target: channel.address, metadata: options.metadata ?? new Metadata(), deadline: options.deadline, signal: this.#abort.signal, messages: this.#requests.messages };
    new Promise<ClientResponse>((resolve) => resolve(chain(request))).then(
      (response) => this.#started(response),
      (err: unknown) => this.#finish(interceptorFailure(err), new Metadata()),
    );
  }

  /** Ends the call with CANCELLED (a no-op once it ended): the chain's signal aborts, so the transport call is cancelled too. */
  cancel(reason?: unknown): void {
    this.endWith(new RpcError(Code.CANCELLED, "Cancelled on client", undefined, reason === undefined ? undefined : { cause: reason }));
  }

  endWith(error: RpcError): void {
    if (this.#outcome !== undefined) return;
    this.#finish(error, new Metadata());
    this.#abort.abort(error);
  }

  async dispose(): Promise<void> {
    this.cancel();
    await this.done;
  }

  // Outbound (the caller's Sender) and Inbound (the caller's Receiver), over messages

  write(message: unknown): boolean {
    return this.#requests.write(message);
  }

  drained(): Promise<void> {
    return this.#requests.drained();
  }

  end(): void {
    this.#requests.end();
  }

  ended(): RpcError | "ok" | undefined {
    return this.#outcome;
  }

  whenEnded(): Promise<unknown> {
    return this.done;
  }

  read(): unknown {
    return this.#responses.read();
  }

  onReadable(callback: () => void): void {
    this.#responses.onReadable(callback);
  }

  abandon(reason: RpcError): void {
    this.endWith(reason);
  }

  #started(response: ClientResponse): void {
    this.#resolveHeaders(response.headers);
    const messages = response.messages[Symbol.asyncIterator]();
    if (this.#outcome !== undefined) {
      void messages.return?.()?.catch(() => {});
      return;
    }
    this.#response = response;
    void response.outcome.then((outcome) => {
      // A failure ends the call at once (a caller that only sends learns it), unless a read is in
      // flight: what the chain's iteration then reports wins (an interceptor may have failed first,
      // and left the transport's stream early). A clean end waits until the caller read every message.
      if (outcome instanceof RpcError && !this.#responses.reading) void response.trailers.then((trailers) => this.#finish(outcome, trailers));
    });
    this.#responses.attach(messages);
  }

  #finish(outcome: RpcError | "ok", trailers: Metadata): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#untrack?.();
    this.#userSignal?.removeEventListener("abort", this.#onAbort);
    this.#resolveHeaders(new Metadata()); // a no-op once the headers came
    this.#resolveTrailers(trailers);
    this.#resolveDone(outcome);
    this.#requests.stop();
    this.#responses.stop();
  }
}
