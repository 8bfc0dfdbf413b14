/**
 * Kernel choice on the adapter in hand. Ops with several kernel variants (conv, matmul) keep a
 * hand-set choice per shape; the tuner replaces it, per shape class, with the variant measured
 * fastest on this adapter, remembered under the adapter's identity and driver version.
 *
 * - 'off': the hand-set choices only.
 * - 'cached' (the default): picks measured earlier on this adapter and driver are used; nothing
 *   is timed.
 * - 'full': as 'cached', and every shape class an op meets without a pick is queued;
 *   `engine.tune()` times the queued ones (or the shapes given to it) and remembers the fastest.
 *
 * Ops are synchronous (they record work), so timing happens only in `engine.tune()`. The ops
 * layer registers how to time each op's variants (`registerTunable`), so this layer imports none.
 */
import type { Engine } from './engine.js';
import type { Tensor } from './tensor.js';

export type AutotuneMode = 'off' | 'cached' | 'full';

/** Where picks persist: one record of picks per adapter key. */
export interface TuneStore {
  load(adapterKey: string): Promise<Record<string, string>>;
  save(adapterKey: string, picks: Record<string, string>): Promise<void>;
}

/** A shape to tune: the op's name and what its tunable needs to run it (shapes and options). */
export interface TuneRequest {
  op: string;
  /** The op's own description of the call, e.g. { input, filter, strides, padding } for conv. */
  shape: Record<string, unknown>;
}

/** One op's variants for a shape, and how to run one of them (the result is read back to time it). */
export interface TunableCall {
  /** The shape class the pick is kept under. */
  shapeClass: string;
  variants: readonly string[];
  /** Records the op with `variant` forced; returns what to read back. */
  run(variant: string): { read(): Promise<Float32Array> };
  /** Disposes the inputs made for timing. */
  dispose(): void;
}

export type Tunable = (engine: Engine, shape: Record<string, unknown>) => TunableCall;

const tunables = new Map<string, Tunable>();

/** Called by an op module at load: how to build a timed call of `op` from a TuneRequest's shape. */
export function registerTunable(op: string, tunable: Tunable): void {
  tunables.set(op, tunable);
}

/**
 * The TunableCall of an op call: its shape class and eligible variants are learned by running the
 * call once with the tuner probing (as the op computes them, never restated); `inputs` are
 * disposed with it.
 */
export function probedCall(engine: Engine, inputs: readonly Tensor[], call: (variant?: string) => Tensor): TunableCall {
  let shapeClass = '';
  const variants: string[] = [];
  engine.tuner.probe((cls, eligible) => {
    shapeClass = cls;
    variants.push(...eligible);
  }, () => call().dispose());
  return { shapeClass, variants, run: (variant) => call(variant), dispose: () => new Set(inputs).forEach((t) => t.dispose()) };
}

/** An input of the given shape for timing: fixed values in [-0.5, 0.5], kept out of every scope. */
export function timingInput(engine: Engine, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return engine.keep(engine.tensor(shape, Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 0.5)));
}

export interface TuneResult {
  op: string;
  shapeClass: string;
  pick: string;
  /** Median milliseconds per variant. */
  ms: Record<string, number>;
}

export interface TunerStats {
  /** Shape classes timed by this engine. */
  timed: number;
  /** Op calls that used a tuned pick. */
  used: number;
}

/** An identity for the picks: the adapter's vendor, architecture, device and description (which carries the driver's version). */
export function adapterKey(info: { vendor: string; architecture: string; device: string; description: string }): string {
  return [info.vendor, info.architecture, info.device, info.description].join(' | ');
}

export class Autotuner {
  private readonly picks = new Map<string, string>();
  private readonly queued = new Map<string, TuneRequest>();
  private probing: ((shapeClass: string, eligible: readonly string[]) => void) | null = null;
  readonly stats: TunerStats = { timed: 0, used: 0 };

  constructor(readonly mode: AutotuneMode, readonly adapterKey: string, private readonly store?: TuneStore) {}

  /** Loads the picks remembered for this adapter ('cached' and 'full'). A store that fails to read counts as empty. */
  async open(): Promise<void> {
    if (this.mode === 'off' || !this.store) return;
    const saved = await this.store.load(this.adapterKey).catch(() => ({}));
    for (const [k, v] of Object.entries(saved)) if (typeof v === 'string') this.picks.set(k, v);
  }

  /**
   * The variant for a shape class: the tuned pick where there is one and it is eligible, else
   * `fallback` (the op's hand-set choice). In 'full' mode a class without a pick is queued.
   */
  choose(op: string, shapeClass: string, eligible: readonly string[], fallback: string, request: () => TuneRequest): string {
    if (this.probing) {
      const record = this.probing;
      this.probing = null; // the op's own call only, not the ops it calls in turn
      record(shapeClass, eligible);
      return fallback;
    }
    if (this.mode === 'off') return fallback;
    const key = `${op}|${shapeClass}`;
    const pick = this.picks.get(key);
    if (pick !== undefined && eligible.includes(pick)) {
      this.stats.used++;
      return pick;
    }
    if (this.mode === 'full' && eligible.length > 1 && !this.queued.has(key)) this.queued.set(key, request());
    return fallback;
  }

  /**
   * Runs `fn` (an op call) and reports the shape class and eligible variants its choice saw, as
   * the op computes them: tunables learn them from the op instead of restating its rules.
   */
  probe(record: (shapeClass: string, eligible: readonly string[]) => void, fn: () => void): void {
    this.probing = record;
    try {
      fn();
    } finally {
      this.probing = null;
    }
  }

  /** The pick kept for a shape class, if any. */
  pickFor(op: string, shapeClass: string): string | undefined {
    return this.picks.get(`${op}|${shapeClass}`);
  }

  /**
   * Times every variant of each request's op (the queued shape classes when none are given; any
   * mode but 'off'), keeps the fastest per shape class and saves the picks. Classes with a pick
   * already are not timed again.
   */
  async tune(engine: Engine, requests?: readonly TuneRequest[], repeats = 5): Promise<TuneResult[]> {
    if (this.mode === 'off') return [];
    const list = requests ?? [...this.queued.values()];
    this.queued.clear();
    const results: TuneResult[] = [];
    for (const request of list) {
      const tunable = tunables.get(request.op);
      if (!tunable) throw new Error(`autotune: no tunable op '${request.op}' (known: ${[...tunables.keys()].join(', ')})`);
      const call = tunable(engine, request.shape);
      try {
        const key = `${request.op}|${call.shapeClass}`;
        if (this.picks.has(key) || call.variants.length < 2) continue;
        const ms: Record<string, number> = {};
        for (const v of call.variants) await readOnce(engine, call, v); // compiles the pipelines
        const samples: Record<string, number[]> = Object.fromEntries(call.variants.map((v) => [v, []]));
        // Interleaved, so a slow moment of a shared machine falls on every variant alike.
        for (let r = 0; r < repeats; r++) {
          for (const v of call.variants) {
            const t0 = performance.now();
            await readOnce(engine, call, v);
            samples[v]!.push(performance.now() - t0);
          }
        }
        for (const v of call.variants) ms[v] = medianOf(samples[v]!);
        const pick = call.variants.reduce((best, v) => (ms[v]! < ms[best]! ? v : best));
        this.picks.set(key, pick);
        this.stats.timed++;
        results.push({ op: request.op, shapeClass: call.shapeClass, pick, ms });
      } finally {
        call.dispose();
      }
    }
    if (results.length && this.store) await this.store.save(this.adapterKey, Object.fromEntries(this.picks));
    return results;
  }
}

async function readOnce(engine: Engine, call: TunableCall, variant: string): Promise<void> {
  await engine.scope(async () => {
    await call.run(variant).read();
  });
}

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Picks kept in memory only (tests, or a host without storage). */
export function memoryTuneStore(): TuneStore & { records: Map<string, Record<string, string>> } {
  const records = new Map<string, Record<string, string>>();
  return {
    records,
    async load(key) {
      return { ...(records.get(key) ?? {}) };
    },
    async save(key, picks) {
      records.set(key, { ...picks });
    },
  };
}

/** Bucket of a size for shape classes: the power of two at or above it. */
export function sizeBucket(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}
