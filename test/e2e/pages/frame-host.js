const other = new URLSearchParams(location.search).get('other');
for (const [name, allow] of [['blocked', null], ['allowed', 'camera']]) {
  const frame = document.createElement('iframe');
  frame.name = name;
  if (allow) frame.allow = allow;
  frame.width = '600';
  frame.height = '420';
  frame.src = new URL('/embed/camera.html', other).href;
  document.body.append(frame);
}
