import type { Channel } from "safestub";
import type { GrpcClientTransport } from "../../runtime/transport/grpc-js/channel.js";

/** The options grpc-js built a Channel's internal channel with (grpc-js keeps them on a private field). */
export function grpcOptionsOf(channel: Channel): Record<string, unknown> {
  const grpcChannel = (channel.transport as GrpcClientTransport).grpcChannel as unknown as { internalChannel: { options: Record<string, unknown> } };
  return grpcChannel.internalChannel.options;
}
