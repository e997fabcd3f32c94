import { Code } from "../../core/code.js";

/** Node's tls errors, as grpc-js quotes them in "No connection established. Last error: …", name SSL or TLS. */
const TLS_FAILURE = /SSL|TLS/;
/** What OpenSSL says when the peer answers a ClientHello in plaintext (an HTTP/2 server without TLS). */
const PLAINTEXT_PEER = /wrong version number|packet length too long|http request/i;

/**
 * The status details for a call on a channel that safestub made TLS because
 * of its address: a failed TLS handshake (most often a plaintext server) says
 * that TLS was chosen and how to get plaintext, since nothing else would.
 */
export function withTlsHint(address: string, code: Code, details: string): string {
  if (code !== Code.UNAVAILABLE || !TLS_FAILURE.test(details)) return details;
  const plaintext = PLAINTEXT_PEER.test(details) ? "the server speaks plaintext, not TLS: " : "";
  return (
    `TLS handshake failed: ${plaintext}"${address}" was treated as TLS, as every address but http://host:port is unless ` +
    `options.credentials says otherwise; for plaintext use an http://host:port address or ` +
    `createChannel(address, { credentials: grpc.credentials.createInsecure() }). grpc-js: ${details}`
  );
}
