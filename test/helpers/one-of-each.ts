// Shared by the cancellation suites (grpc-js in a child process, and in memory).
import type { ProbeClient } from "../../gen/testing/probe_grpc.js";
import { msg, sleep } from "./probe.js";

/** Rejection of `p`, or a marker if it resolved or did not settle within 2 s. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([p.then(() => "resolved", (err: unknown) => err), sleep(2000).then(() => "did not settle within 2 s")]);
}

/**
 * One call of each shape on `c`, each with its handler running (upload's handler sends headers
 * first, see recording-server.ts); `outcomes()` is how each ended, `chat` the bidi call.
 */
export async function openOneOfEach(c: ProbeClient) {
  const unary = c.unary(msg());
  const download = c.download(msg());
  const upload = c.upload();
  const chat = c.chat();
  await upload.sender.send(msg());
  await upload.headers;
  await chat.sender.send(msg());
  await chat.receiver.recv();
  return {
    chat,
    outcomes: async () => [await rejection(unary), await rejection(download.receiver.recv()), await rejection(upload.response), await rejection(chat.receiver.recv())],
  };
}
