const other = new URLSearchParams(location.search).get('other');
for (const [name, allow] of [['blocked', null], ['allowed', 'camera']]) {
  const frame = document.createElement('iframe');
  frame.name = name;
  if (allow) frame.allow = allow;
  frame.width = '600';
  frame.height = '420';
  frame.src = new URL('/embed/camera.html', other).href;
  // The test looks into a frame only once its document has loaded (a cross-origin frame moves
  // to another process on the way, and a handle taken before that can wait forever).
  frame.addEventListener('load', () => { frame.dataset.loaded = 'yes'; });
  document.body.append(frame);
}
