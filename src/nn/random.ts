/**
 * mulberry32: the one small seeded generator behind every seeded draw in the library (model
 * initialisation, training batches, the style-transfer start image), so a seed replays the
 * same numbers on every host. Returns raw 32-bit unsigned integers; callers scale them.
 */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
