// Keeps the components' events in window.__events for the test to read (an external script:
// the page's Content-Security-Policy refuses inline ones).
window.__events = [];
for (const name of ['wv-ready', 'wv-result', 'wv-enrolled', 'wv-error', 'wv-liveness', 'wv-liveness-progress', 'wv-style-ready', 'wv-style-done']) {
  document.addEventListener(name, (e) => {
    const { image, png, evidence, ...rest } = e.detail ?? {};
    window.__events.push({ name, detail: evidence ? { ...rest, evidence } : rest });
  });
}
