// Liveness options for the page's <face-verify> from ?options={...}, and ?liveness=... for the attribute.
const params = new URLSearchParams(location.search);
const el = document.querySelector('face-verify');
if (params.has('options')) el.livenessOptions = JSON.parse(params.get('options'));
if (params.has('liveness')) el.setAttribute('liveness', params.get('liveness'));
