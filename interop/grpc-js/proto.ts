// Loads the interop .proto files at run time with @grpc/proto-loader, the way
// a plain grpc-js application does: nothing here comes from safestub's generator.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO_ROOT = fileURLToPath(new URL("../../protos", import.meta.url));

/** The message shapes proto-loader produces (camelCase fields, defaults filled in, bytes as Buffer). */
export interface Payload {
  type?: number;
  body?: Buffer | Uint8Array;
}
export interface EchoStatus {
  code: number;
  message: string;
}
export interface SimpleRequest {
  responseType?: number;
  responseSize?: number;
  payload?: Payload | null;
  responseStatus?: EchoStatus | null;
  expectCompressed?: { value: boolean } | null;
}
export interface SimpleResponse {
  payload?: Payload | null;
}
export interface StreamingInputCallRequest {
  payload?: Payload | null;
  expectCompressed?: { value: boolean } | null;
}
export interface StreamingInputCallResponse {
  aggregatedPayloadSize: number;
}
export interface ResponseParameters {
  size: number;
  intervalUs?: number;
}
export interface StreamingOutputCallRequest {
  responseType?: number;
  responseParameters?: ResponseParameters[];
  payload?: Payload | null;
  responseStatus?: EchoStatus | null;
}
export interface StreamingOutputCallResponse {
  payload?: Payload | null;
}
export type Empty = Record<string, never>;

/** The grpc.testing package as grpc-js sees it. */
export interface TestingPackage {
  TestService: grpc.ServiceClientConstructor;
  UnimplementedService: grpc.ServiceClientConstructor;
}

export function loadTestingPackage(): TestingPackage {
  const definition = protoLoader.loadSync("grpc/testing/test.proto", { includeDirs: [PROTO_ROOT], keepCase: false, defaults: true, enums: Number });
  const root = grpc.loadPackageDefinition(definition) as unknown as { grpc: { testing: TestingPackage } };
  return root.grpc.testing;
}
