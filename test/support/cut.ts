/**
 * Cuts a text or byte array at the given positions (taken modulo its length
 * + 1, in any order; repeats make empty chunks), as a network would: the
 * chunking property tests feed the pieces one by one.
 */
export function cutAt<T extends string | Uint8Array>(whole: T, cuts: number[]): T[] {
  const at = cuts.map((n) => n % (whole.length + 1)).sort((a, b) => a - b);
  const chunks: T[] = [];
  let from = 0;
  for (const point of at) {
    chunks.push(whole.slice(from, point) as T);
    from = point;
  }
  chunks.push(whole.slice(from) as T);
  return chunks;
}
