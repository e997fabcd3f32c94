/** A createChannel address as a grpc-js target, and whether safestub's default for it is TLS. */
export interface ParsedAddress {
  target: string;
  secure: boolean;
}

/** The forms createChannel takes, for the error that rejects any other. */
const ACCEPTED =
  'accepted forms: "http://host:port" (plaintext), "https://host[:port]", "host:port", "[::1]:port", ' +
  'and grpc-js targets "dns:///host:port", "ipv4:a.b.c.d:port[,…]", "ipv6:[::1]:port[,…]", "unix:/path", "unix-abstract:name" ' +
  "(all TLS unless options.credentials say otherwise)";

/** grpc-js's own target schemes, passed on as they are. */
const GRPC_TARGET = /^(dns|ipv4|ipv6|unix|unix-abstract|xds):/;

/**
 * `http://host:port` is plaintext and `https://host[:port]` TLS (443 by
 * default); `host:port` and grpc-js targets (`ipv4:a:p,b:q`, `dns:///name:port`,
 * `unix:path`) go to grpc-js as they are and are TLS too: secure by default,
 * unless credentials say otherwise. Anything else (another scheme such as
 * `grpc://`, a path after the port, `http://host` with no port) is refused
 * with a TypeError that lists the accepted forms, instead of dialling
 * something the user did not mean.
 */
export function parseAddress(address: string): ParsedAddress {
  if (address === "") throw new TypeError(`createChannel needs an address; ${ACCEPTED}`);
  const url = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(address);
  if (url) {
    const [, scheme = "", authority = "", rest = ""] = url;
    const lower = scheme.toLowerCase();
    if (lower === "dns") return { target: address, secure: true }; // dns://authority/host:port
    if (lower !== "http" && lower !== "https") throw new TypeError(`createChannel: unknown scheme "${scheme}://" in "${address}"; ${ACCEPTED}`);
    if (rest !== "" && rest !== "/") throw new TypeError(`createChannel: "${address}" has a path, query or fragment after the host; a gRPC address is only host and port; ${ACCEPTED}`);
    const hasPort = /:\d+$/.test(authority);
    if (authority === "" || /[\s@]/.test(authority)) throw new TypeError(`createChannel: "${address}" has no valid host; ${ACCEPTED}`);
    if (lower === "http" && !hasPort) throw new TypeError(`createChannel: "${address}" has no port (a plaintext server has no default port); use "http://host:port"`);
    return { target: hasPort ? authority : `${authority}:443`, secure: lower === "https" };
  }
  if (GRPC_TARGET.test(address)) return { target: address, secure: true };
  if (/[\s/?#@]/.test(address)) throw new TypeError(`createChannel: "${address}" is not an address; ${ACCEPTED}`);
  return { target: address, secure: true };
}
