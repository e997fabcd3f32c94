import { createChannel, RpcError } from "safestub";
import { GreeterClient } from "@backend/examples.js";

/** One SayHello over a fresh channel to `address`: the reply's message, or the RpcError it failed with. */
export async function greet(address: string, options?: Parameters<typeof createChannel>[1]): Promise<string | RpcError> {
  const channel = createChannel(address, options);
  try {
    return (await new GreeterClient(channel).sayHello({ name: "x" }, { timeoutMs: 5000 })).message;
  } catch (err) {
    if (err instanceof RpcError) return err;
    throw err;
  } finally {
    channel.close();
  }
}
