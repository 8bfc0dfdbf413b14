import { ProgressBar, formatDuration } from '../../bench/progress-bar.js';
import { assert, assertEqual } from '../util/assert.js';

describe('progress bar with an ETA (training scripts)', () => {
  it('estimates the time left from the pace since the first unit; off a terminal it logs every 5%', () => {
    let now = 0;
    const lines: string[] = [];
    const bar = new ProgressBar({ total: 100, width: 10, out: { write: (s) => lines.push(s) } }, () => now);
    now = 5000; // start-up time before the first unit does not count
    bar.update(1, 'loss 0.2');
    assert(Number.isNaN(bar.eta()), 'no pace after one update');
    for (let k = 2; k <= 100; k++) {
      now += 2000;
      bar.update(k);
      if (k === 51) assertEqual(bar.eta(), 98, 'ETA at 51/100 with 2 s a unit');
    }
    assertEqual(lines.length, 21, 'lines: the first, one per 5%, the last');
    assertEqual(lines[0], '[..........]   1% 1/100 ETA ?  loss 0.2\n', 'first line');
    assertEqual(lines.at(-1), '[##########] 100% 100/100 done\n', 'last line');
    assertEqual([formatDuration(42), formatDuration(125), formatDuration(7260), formatDuration(NaN)], ['42s', '2m05s', '2h01m', '?'], 'durations');
  });

  it('redraws one line on a terminal, and a resumed run starts at its units done', () => {
    const out: string[] = [];
    let now = 0;
    const bar = new ProgressBar({ total: 10, done: 6, width: 10, out: { write: (s) => out.push(s), isTTY: true } }, () => now);
    bar.update(7);
    now = 1000;
    bar.update(8);
    bar.finish();
    assertEqual(out, ['\r[#######...]  70% 7/10 ETA ?\x1b[K', '\r[########..]  80% 8/10 ETA 2s\x1b[K', '\n'], 'terminal output');
  });
});
