/** A createChannel address as a grpc-js target, and whether safestub's default for it is TLS. */
export interface ParsedAddress {
  target: string;
  secure: boolean;
}

/**
 * `http://host:port` is plaintext and `https://host:port` TLS; anything else
 * (`host:port`, `ipv4:a:p,b:q`, `dns:///name:port`, `unix:path`) goes to
 * grpc-js as it is and is TLS too: secure by default, unless credentials say otherwise.
 */
export function parseAddress(address: string): ParsedAddress {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(address);
  if (m) return { target: m[2]!, secure: m[1] === "https" };
  if (address === "") throw new TypeError("createChannel needs an address");
  return { target: address, secure: true };
}
