// The HPACK subset a hand-written server needs to send (RFC 7541): every field as a literal
// without indexing, names and values as raw strings (no Huffman), so no table state is kept.
// Request headers are not decoded: the fixture tells calls apart by their request messages.

/** An integer with an N-bit prefix (RFC 7541 §5.1); `high` holds the bits above the prefix. */
function encodeInteger(value: number, prefixBits: number, high: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.of(high | value);
  const bytes = [high | max];
  let rest = value - max;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function encodeString(text: string): Buffer {
  const raw = Buffer.from(text, "latin1");
  return Buffer.concat([encodeInteger(raw.length, 7, 0x00), raw]);
}

/** A header block of literal fields without indexing, new names (RFC 7541 §6.2.2). */
export function encodeHeaderBlock(fields: ReadonlyArray<readonly [name: string, value: string]>): Buffer {
  return Buffer.concat(fields.flatMap(([name, value]) => [Buffer.of(0x00), encodeString(name), encodeString(value)]));
}
