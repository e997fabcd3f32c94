// safestub/opentelemetry: OpenTelemetry tracing for safestub calls, as interceptors. The only part of
// the package that imports @opentelemetry/api (an optional peer dependency); `safestub` never does.
export { clientTracing } from "./client.js";
export { serverTracing } from "./server.js";
export type { TracingOptions } from "./span.js";
