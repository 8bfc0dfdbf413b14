import type { DispatchSpec, Engine } from '../src/gpu/engine.js';
/** Per-op GPU time: each dispatch submitted alone; completion times differenced (queue kept busy). */
export function installProfiler(engine: Engine) {
  const orig = engine.dispatch.bind(engine);
  const totals = new Map<string, { ms: number; n: number }>();
  let last = performance.now();
  let on = false;
  engine.dispatch = (spec: DispatchSpec) => {
    orig(spec);
    if (!on) return;
    engine.flush();
    const key = `${spec.op} (${spec.entry})`;
    engine.device.queue.onSubmittedWorkDone().then(() => {
      const t = performance.now();
      const e = totals.get(key) ?? { ms: 0, n: 0 };
      e.ms += t - last; e.n++; totals.set(key, e); last = t;
    });
  };
  return {
    start() { on = true; last = performance.now(); },
    stop() { on = false; },
    report(steps: number) {
      const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
      const total = rows.reduce((a, [, e]) => a + e.ms, 0);
      const lines = rows.map(([k, e]) => `${(e.ms / steps).toFixed(1).padStart(8)} ms/step ${(100 * e.ms / total).toFixed(1).padStart(5)}%  ${String(e.n / steps).padStart(5)} calls/step  ${k}`);
      return [`total ${(total / steps).toFixed(1)} ms/step, ${rows.reduce((a, [, e]) => a + e.n, 0) / steps} dispatches/step`, ...lines].join('\n');
    },
  };
}
