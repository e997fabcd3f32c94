// safestub/testing: a Server and Channels in one process with no sockets, for unit tests of
// handlers and clients (as Connect-ES's createRouterTransport and gRPC-Go's bufconn).
export { createInMemoryServer, type InMemoryServerOptions } from "./transport/in-memory/server.js";
export { createInMemoryChannel } from "./transport/in-memory/channel.js";
