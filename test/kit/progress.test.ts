/**
 * Progress lines: the formatting is checked character for character (speed in it/s or s/it, ETA, hours,
 * unknown speed, completion, an empty loop); the stateful line, driven by a fake clock, redraws a TTY at
 * most every 250 ms with carriage returns and pads over a longer previous line, prints plain lines at most
 * every N seconds elsewhere, always prints the final line once, and its moving-average speed follows a
 * change of pace.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createProgress, formatDuration, formatProgress } from '../../src/kit/progress.js';

// ---
const formatSuite = suite('formatProgress');

formatSuite('~> exact lines', () => {
  assert.is(formatProgress({ label: 'epoch 3', done: 35, total: 100, elapsedMs: 7000 }), 'epoch 3 [#######.............] 35/100 35% 5.00 it/s ETA 0:13');
  assert.is(formatProgress({ label: 'train', done: 2, total: 10, elapsedMs: 5000 }), 'train [####................] 2/10 20% 2.50 s/it ETA 0:20');
  assert.is(formatProgress({ label: 'x', done: 10, total: 100_000, elapsedMs: 1000, barWidth: 4 }), 'x [....] 10/100000 0% 10.0 it/s ETA 2:46:39');
  assert.is(formatProgress({ label: 'x', done: 0, total: 5, elapsedMs: 0, barWidth: 5 }), 'x [.....] 0/5 0% ? it/s ETA ?');
  assert.is(formatProgress({ label: 'x', done: 5, total: 5, elapsedMs: 65_000, barWidth: 5 }), 'x [#####] 5/5 100% 13.0 s/it in 1:05');
  assert.is(formatProgress({ label: 'x', done: 300, total: 600, elapsedMs: 1000, rate: 150, barWidth: 2 }), 'x [#.] 300/600 50% 150 it/s ETA 0:02');
  assert.is(formatProgress({ label: 'x', done: 0, total: 0, elapsedMs: 10, barWidth: 2 }), 'x [##] 0/0 100% ? it/s in 0:01');
});

formatSuite('~> durations', () => {
  assert.is(formatDuration(0), '0:00');
  assert.is(formatDuration(59.2), '1:00');
  assert.is(formatDuration(3600), '1:00:00');
  assert.is(formatDuration(3725), '1:02:05');
});

formatSuite.run();

// ---
const createSuite = suite('createProgress');

function fakeClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

createSuite('~> a TTY redraws at most every 250 ms with \\r and ends with a newline', () => {
  const clock = fakeClock();
  const writes: string[] = [];
  const progress = createProgress({ label: 'p', total: 10, output: { write: (s: string) => writes.push(s), isTTY: true }, now: clock.now });
  for (let i = 0; i < 10; i += 1) {
    clock.advance(100);
    progress.tick();
  }
  progress.finish();
  // ticks at 100..1000 ms: drawn at 100 (first), 400, 700; the 10th tick finishes
  assert.is(writes.length, 4, `~> ${JSON.stringify(writes)}`);
  assert.ok(writes.slice(0, 3).every((w) => w.startsWith('\r') && !w.endsWith('\n')), '~> redraws');
  assert.is(writes[0], '\rp [##..................] 1/10 10% 10.0 it/s ETA 0:01', '~> first, before any speed sample: the overall average');
  assert.is(writes[1], '\rp [########............] 4/10 40% 10.0 it/s ETA 0:01', '~> speed sampled over 300 ms');
  assert.is(writes[3], '\rp [####################] 10/10 100% 10.0 it/s in 0:01\n', '~> final line');
  assert.is(progress.done, 10, '~> done');
});

createSuite('~> pads over a longer previous line', () => {
  const clock = fakeClock();
  const writes: string[] = [];
  const progress = createProgress({ label: 'p', total: 2000, output: { write: (s: string) => writes.push(s), isTTY: true }, now: clock.now });
  clock.advance(100);
  progress.update(1);                       // no speed sample yet
  clock.advance(1000);
  progress.update(1000);                    // a known speed; shorter or longer — must cover the last
  clock.advance(1000);
  progress.update(1001);                    // slow: s/it
  for (let i = 1; i < writes.length; i += 1) assert.ok(writes[i]!.length >= writes[i - 1]!.length, `~> write ${i} covers write ${i - 1}`);
});

createSuite('~> not a TTY: a plain line at most every 10 s, and the final line', () => {
  const clock = fakeClock();
  const writes: string[] = [];
  const progress = createProgress({ label: 'p', total: 100, output: { write: (s: string) => writes.push(s) }, now: clock.now });
  for (let i = 0; i < 100; i += 1) {
    clock.advance(500);
    progress.tick();
  }
  progress.finish();
  assert.is(writes.length, 5, `~> 10 s, 20 s, 30 s, 40 s and the end at 50 s: ${JSON.stringify(writes)}`);
  assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\r')), '~> plain lines');
  assert.is(writes[0], 'p [####................] 20/100 20% 2.00 it/s ETA 0:40\n');
  assert.is(writes[4], 'p [####################] 100/100 100% 2.00 it/s in 0:50\n');
});

createSuite('~> a logger gets lines without newline; the speed average follows a change of pace', () => {
  const clock = fakeClock();
  const lines: string[] = [];
  const progress = createProgress({ label: 'p', total: 1000, output: { info: (s: string) => lines.push(s) }, now: clock.now, plainIntervalMs: 0 });
  for (let i = 0; i < 20; i += 1) {
    clock.advance(1000);
    progress.tick(1);                       // 1 it/s
  }
  assert.match(lines.at(-1)!, / 1\.00 it\/s /, '~> steady 1 it/s');
  for (let i = 0; i < 20; i += 1) {
    clock.advance(1000);
    progress.tick(10);                      // 10 it/s
  }
  const speed = Number(/ ([\d.]+) it\/s /.exec(lines.at(-1)!)?.[1]);
  assert.ok(Math.abs(speed - 10) < 0.05, `~> the average has moved to 10 it/s (${speed}): 10 − 9·0.7^20`);
  assert.ok(!lines.some((l) => l.includes('\n')), '~> no newlines');
});

createSuite.run();
