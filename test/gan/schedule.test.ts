/**
 * Learning-rate policies: 'linear' holds the base rate for niter epochs and then falls by base/(niterDecay+1)
 * per epoch (the reference lambda with epoch_count 1, stepped after each epoch), clamped at 0 past the end;
 * 'constant' never moves; malformed schedules are rejected naming the field.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { learningRateAt, type LrSchedule } from '../../src/gan/schedule.js';

const close = (actual: number, expected: number, label: string) => assert.ok(Math.abs(actual - expected) < 1e-15, `${label}: expected ${expected}, received ${actual}`);

// ---
const rateSuite = suite('learningRateAt');

rateSuite('~> linear: niter 2, niterDecay 3', () => {
  const schedule: LrSchedule = { policy: 'linear', base: 2e-4, niter: 2, niterDecay: 3 };
  const expected = [1, 1, 0.75, 0.5, 0.25].map((f) => 2e-4 * f);
  expected.forEach((lr, epoch) => close(learningRateAt(schedule, epoch), lr, `~> epoch ${epoch}`));
  close(learningRateAt(schedule, 9), 0, '~> clamped at 0 past the end');
});

rateSuite('~> linear: the reference 100 + 100 ends at base/101', () => {
  const schedule: LrSchedule = { policy: 'linear', base: 2e-4, niter: 100, niterDecay: 100 };
  close(learningRateAt(schedule, 99), 2e-4, '~> epoch 100 (1-based) at base');
  close(learningRateAt(schedule, 100), 2e-4 * (1 - 1 / 101), '~> first decayed epoch');
  close(learningRateAt(schedule, 199), 2e-4 / 101, '~> last epoch');
});

rateSuite('~> linear with niterDecay 0 is constant for niter epochs', () => {
  const schedule: LrSchedule = { policy: 'linear', base: 1, niter: 60, niterDecay: 0 };
  close(learningRateAt(schedule, 59), 1, '~> last epoch');
});

rateSuite('~> constant ignores niter', () => {
  const schedule: LrSchedule = { policy: 'constant', base: 3e-4, niter: 0, niterDecay: 0 };
  close(learningRateAt(schedule, 0), 3e-4, '~> first');
  close(learningRateAt(schedule, 500), 3e-4, '~> late');
});

rateSuite('~> rejects malformed schedules and epochs', () => {
  assert.throws(() => learningRateAt({ policy: 'step' as 'linear', base: 1, niter: 1, niterDecay: 1 }, 0), /'policy' expected 'linear' or 'constant', received "step"/);
  assert.throws(() => learningRateAt({ policy: 'linear', base: -1, niter: 1, niterDecay: 1 }, 0), /'base' expected a finite number >= 0, received -1/);
  assert.throws(() => learningRateAt({ policy: 'linear', base: 1, niter: 1.5, niterDecay: 1 }, 0), /'niter' expected an integer >= 0, received 1.5/);
  assert.throws(() => learningRateAt({ policy: 'linear', base: 1, niter: 1, niterDecay: 1 }, -1), /0-based epoch index/);
});

rateSuite.run();
