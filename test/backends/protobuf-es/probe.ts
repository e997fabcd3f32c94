// The runtime suites' Probe service with protoc-gen-es messages (messages=protobuf-es): the names
// test/backends/ts-proto/probe.ts exports, from gen/protobuf-es/.
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { MsgSchema, type Msg } from "../../../gen/protobuf-es/testing/probe_pb.js";

export { ProbeClient, ProbeService, type ProbeHandlers } from "../../../gen/protobuf-es/testing/probe_grpc.js";
export type { Msg };
/** What senders give: a partial init or a message. */
export type MsgInit = MessageInitShape<typeof MsgSchema>;

/** A Msg with defaults for the fields not given: a real message, equal to one decoded from the wire. */
export const msg = (fields: Partial<Omit<Msg, "$typeName">> = {}): Msg => create(MsgSchema, fields);

/** A Msg's wire bytes, for raw transports and plain grpc-js clients. */
export const encodeMsg = (message: Msg): Uint8Array => toBinary(MsgSchema, message);

/** A Msg from its wire bytes. */
export const decodeMsg = (bytes: Uint8Array): Msg => fromBinary(MsgSchema, bytes);
