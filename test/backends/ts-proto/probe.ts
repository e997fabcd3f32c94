// The runtime suites' Probe service with ts-proto messages: what `@backend/probe.js` resolves to.
// test/backends/protobuf-es/probe.ts exports the same names.
import { Msg } from "../../../gen/testing/probe.js";

export { ProbeClient, ProbeService, type ProbeHandlers } from "../../../gen/testing/probe_grpc.js";
export type { Msg };
/** ts-proto sends messages as they are received. */
export type MsgInit = Msg;

/** A Msg with defaults for the fields not given (bytes are a Buffer: env=node). */
export const msg = (fields: Partial<Msg> = {}): Msg => Msg.fromPartial(fields);

/** A Msg's wire bytes, for raw transports and plain grpc-js clients. */
export const encodeMsg = (message: Msg): Uint8Array => Msg.encode(message).finish();

/** A Msg from its wire bytes. */
export const decodeMsg = (bytes: Uint8Array): Msg => Msg.decode(bytes);
