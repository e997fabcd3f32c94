/** A metadata value: text for ordinary keys, bytes for keys ending in `-bin`. */
export type MetadataValue = string | Uint8Array;

/** What call options and server contexts accept as metadata. */
export type MetadataInit =
  | Metadata
  | Readonly<Record<string, MetadataValue | readonly MetadataValue[]>>;

/**
 * Metadata is a multimap of gRPC headers or trailers. Keys are lower-cased;
 * keys ending in `-bin` carry bytes, all others carry text. A value of the
 * wrong kind is refused with a TypeError at the call that sets it.
 */
export class Metadata {
  readonly #entries = new Map<string, MetadataValue[]>();

  constructor(init?: MetadataInit) {
    // A brand check, not `instanceof Metadata`: a class that names itself in its body is renamed by bundlers (its `.name` too).
    if (typeof init === "object" && #entries in init) {
      for (const [key, values] of init.#entries) this.#entries.set(key, [...values]);
    } else if (init !== undefined) {
      for (const [key, value] of Object.entries(init)) {
        for (const v of Array.isArray(value) ? value : [value]) this.append(key, v as MetadataValue);
      }
    }
  }

  /** The first value of `key`, or undefined. */
  get(key: string): MetadataValue | undefined {
    return this.#entries.get(key.toLowerCase())?.[0];
  }

  /** Every value of `key`, in the order they were added. */
  getAll(key: string): MetadataValue[] {
    return [...(this.#entries.get(key.toLowerCase()) ?? [])];
  }

  has(key: string): boolean {
    return this.#entries.has(key.toLowerCase());
  }

  /** Replaces all values of `key` with `value`. */
  set(key: string, value: MetadataValue): this {
    const k = checkEntry(key, value);
    this.#entries.set(k, [value]);
    return this;
  }

  /** Adds `value` to the values of `key`. */
  append(key: string, value: MetadataValue): this {
    const k = checkEntry(key, value);
    const list = this.#entries.get(k);
    if (list) list.push(value);
    else this.#entries.set(k, [value]);
    return this;
  }

  delete(key: string): boolean {
    return this.#entries.delete(key.toLowerCase());
  }

  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Every (key, value) pair; a key with several values appears several times. */
  *[Symbol.iterator](): IterableIterator<[string, MetadataValue]> {
    for (const [key, values] of this.#entries) for (const v of values) yield [key, v];
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A plain object view (first values only), handy for logging and tests. */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [key, values] of this.#entries) {
      const shown = values.map((v) => (typeof v === "string" ? v : Buffer.from(v).toString("base64")));
      out[key] = shown.length === 1 ? shown[0]! : shown;
    }
    return out;
  }
}

const KEY = /^[0-9a-z_.-]+$/;

function checkEntry(key: string, value: MetadataValue): string {
  const k = key.toLowerCase();
  if (!KEY.test(k)) throw new TypeError(`metadata key ${JSON.stringify(key)} is not a valid gRPC header name`);
  if (k.startsWith("grpc-")) throw new TypeError(`metadata key ${JSON.stringify(key)} is reserved by gRPC`);
  if (k.endsWith("-bin")) {
    if (!(value instanceof Uint8Array)) throw new TypeError(`metadata key "${k}" ends in -bin and needs a Uint8Array value`);
  } else if (typeof value !== "string") {
    throw new TypeError(`metadata key "${k}" needs a string value (only keys ending in -bin carry bytes)`);
  }
  return k;
}
