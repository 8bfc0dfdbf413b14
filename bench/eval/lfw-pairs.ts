/**
 * LFW pairs files (pairsDevTrain.txt, pairsDevTest.txt, pairs.txt). The first line is a count
 * `n` (View 1: n same-person pairs, then n different-person ones) or `folds n` (View 2: `folds`
 * sets of n same then n different); then `name i j` (same person) and `name1 i name2 j`
 * (different people), fields separated by tabs or spaces.
 */

export interface LfwImageRef {
  name: string;
  /** 1-based image number: images/<name>/<name>_<index, 4 digits>.jpg */
  index: number;
}

export interface LfwPair {
  a: LfwImageRef;
  b: LfwImageRef;
  same: boolean;
  /** 1-based line in the pairs file, for messages. */
  line: number;
}

export class LfwPairsError extends Error {
  override name = 'LfwPairsError';
}

const positiveInt = (s: string): number | null => (/^[1-9]\d*$/.test(s) ? Number(s) : null);

/** Parses a pairs file into its folds (one fold for View 1), in file order. */
export function parsePairs(text: string, source = 'pairs file'): LfwPair[][] {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const fail = (line: number, why: string): never => {
    throw new LfwPairsError(`${source}:${line}: ${why}${lines[line - 1] !== undefined ? ` (got '${lines[line - 1]!.trim()}')` : ''}`);
  };
  const header = (lines[0] ?? '').trim().split(/\s+/).map(positiveInt);
  if (header.length > 2 || header.some((x) => x === null)) fail(1, "expected a header line 'n' (View 1) or 'folds n' (View 2)");
  const [folds, n] = header.length === 2 ? [header[0]!, header[1]!] : [1, header[0]!];
  const expected = 1 + folds * 2 * n;
  const promise = `the header promises ${folds} fold(s) of ${n} same + ${n} different pairs (${expected - 1} lines), the file has ${lines.length - 1}`;
  if (lines.length < expected) fail(lines.length + 1, `the file ends early: ${promise}`);
  if (lines.length > expected) fail(expected + 1, `a line past the last pair: ${promise}`);
  const out: LfwPair[][] = [];
  for (let f = 0; f < folds; f++) {
    const fold: LfwPair[] = [];
    for (let k = 0; k < 2 * n; k++) {
      const line = 2 + f * 2 * n + k;
      const same = k < n;
      const fields = lines[line - 1]!.trim().split(/\s+/);
      if (same) {
        const [name, i, j] = [fields[0]!, positiveInt(fields[1] ?? ''), positiveInt(fields[2] ?? '')];
        if (fields.length !== 3 || i === null || j === null) fail(line, `fold ${f + 1} expects a same-person pair 'name i j' here`);
        fold.push({ a: { name, index: i! }, b: { name, index: j! }, same, line });
      } else {
        const [name1, i, name2, j] = [fields[0]!, positiveInt(fields[1] ?? ''), fields[2] ?? '', positiveInt(fields[3] ?? '')];
        if (fields.length !== 4 || i === null || j === null) fail(line, `fold ${f + 1} expects a different-person pair 'name1 i name2 j' here`);
        fold.push({ a: { name: name1, index: i! }, b: { name: name2, index: j! }, same, line });
      }
    }
    out.push(fold);
  }
  return out;
}

/** The image's path under the images folder: <name>/<name>_0001.jpg. */
export const imagePath = (dir: string, ref: LfwImageRef): string => `${dir}/${ref.name}/${ref.name}_${String(ref.index).padStart(4, '0')}.jpg`;

/**
 * A quick run's share of a file: about `limit` pairs in all, spread over the folds, each fold
 * keeping its first same-person and its first different-person pairs in equal numbers (the
 * first `limit` lines alone would all be same-person pairs).
 */
export function limitPairs(folds: readonly LfwPair[][], limit: number): LfwPair[][] {
  const each = Math.max(1, Math.ceil(limit / (2 * folds.length)));
  return folds.map((fold) => [...fold.filter((p) => p.same).slice(0, each), ...fold.filter((p) => !p.same).slice(0, each)]);
}
