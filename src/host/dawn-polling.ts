/**
 * Dawn's Node binding learns that GPU work has finished by polling: while any of its promises is
 * pending (a read-back, an error scope) it re-queues a native tick with the global setImmediate,
 * so one CPU core spins for as long as the GPU works. On a CPU Vulkan driver (lavapipe) that is a
 * core the driver's own threads need: the 192 px style step on 2 cores took ~92 ms with the
 * spinning poll and ~70 ms with this one. Ticks in the first SPIN_MS of a wait stay immediate
 * (short waits gain no latency); later ones go through a 1 ms timer.
 */
const SPIN_MS = 5;
/** A tick this long after the previous one starts a new wait. */
const NEW_WAIT_GAP_MS = 5;
const INSTALLED = Symbol.for('wgsl-vision.dawn-polling');

/** Dawn's ticks are native functions without a name (N-API); JavaScript passes its own functions. */
export function isNativeCallback(f: unknown): boolean {
  return typeof f === 'function' && f.name === '' && Function.prototype.toString.call(f).includes('[native code]');
}

/** Replaces the global setImmediate, once per process; JavaScript callbacks pass through unchanged. */
export function throttleDawnPolling(): void {
  const g = globalThis as typeof globalThis & { [INSTALLED]?: boolean };
  if (g[INSTALLED]) return;
  g[INSTALLED] = true;
  const original = globalThis.setImmediate;
  let waitStart = 0;
  let last = -Infinity;
  const throttled = function (callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (!isNativeCallback(callback)) return original(callback, ...args);
    const now = performance.now();
    if (now - last > NEW_WAIT_GAP_MS) waitStart = now;
    last = now;
    return now - waitStart < SPIN_MS ? original(callback, ...args) : setTimeout(callback, 1, ...args);
  };
  // Keep what hangs off the original (util.promisify's custom form, name, length).
  Object.defineProperties(throttled, Object.getOwnPropertyDescriptors(original));
  globalThis.setImmediate = throttled as unknown as typeof setImmediate;
}
