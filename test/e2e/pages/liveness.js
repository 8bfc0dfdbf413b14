// Liveness options for the page's <wv-face-verify> from ?options={...}, and ?liveness=... for the attribute.
import './components.js';
const params = new URLSearchParams(location.search);
const el = document.querySelector('wv-face-verify');
if (params.has('options')) el.livenessOptions = JSON.parse(params.get('options'));
if (params.has('liveness')) el.setAttribute('liveness', params.get('liveness'));
