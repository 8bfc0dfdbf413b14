// A <wv-face-verify> with a stand-in recognizer (no models: this page is about the camera permission).
import './components.js';
const people = new Map();
const el = document.createElement('wv-face-verify');
el.recognizer = {
  adapter: 'stand-in',
  describe: async () => [],
  gallery: {
    list: async () => [...people].map(([id, d]) => ({ id, descriptors: d.length })),
    enroll: async (id, d) => void people.set(id, d),
    forget: async (id) => people.delete(id),
    descriptorsOf: async (id) => people.get(id) ?? [],
  },
};
document.body.append(el);
