// Shared by the cancellation suites (grpc-js in a child process, and in memory) and the interceptor suites.
import type { ProbeClient } from "@backend/probe.js";
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

/** What roundTripOneOfEach saw: the ids that came back from each shape, and the unary reply's text. */
export interface RoundTrips {
  unary: number;
  unaryText: string;
  download: number[];
  upload: number;
  chat: number[];
}

/**
 * One finished call of each shape on an echoing Probe server: unary id 1, a download of 3 from id 1,
 * an upload of ids 1, 2, 3 (answered with their sum), a chat echoing 1, 2, 3 one at a time.
 */
export async function roundTripOneOfEach(client: ProbeClient): Promise<RoundTrips> {
  const unary = await client.unary(msg({ id: 1 }));
  const download: number[] = [];
  for await (const m of client.download(msg({ id: 1, count: 3 })).receiver) download.push(m.id);
  const up = client.upload();
  for (const id of [1, 2, 3]) await up.sender.send(msg({ id }));
  await up.sender.close();
  const upload = (await up.response).id;
  const chat = client.chat();
  const chatted: number[] = [];
  for (const id of [1, 2, 3]) {
    await chat.sender.send(msg({ id }));
    chatted.push((await chat.receiver.recv())!.id);
  }
  await chat.sender.close();
  if ((await chat.receiver.recv()) !== undefined) throw new Error("the chat sent more than it was sent");
  return { unary: unary.id, unaryText: unary.text, download, upload, chat: chatted };
}
