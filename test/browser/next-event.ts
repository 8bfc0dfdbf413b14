/** The next `name` event on `target`; rejects after `timeoutMs` so that a test fails instead of hanging. */
export function nextEvent<T = unknown>(target: EventTarget, name: string, timeoutMs = 120_000): Promise<CustomEvent<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${timeoutMs} ms`)), timeoutMs);
    target.addEventListener(name, (e) => {
      clearTimeout(timer);
      resolve(e as CustomEvent<T>);
    }, { once: true });
  });
}
