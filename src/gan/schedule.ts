/**
 * Learning-rate policies of a training phase (MODEL.md §2.4). 'linear' is the reference `get_scheduler`
 * lambda, factor = 1 − max(0, k + epoch_count − niter) / (niter_decay + 1). Our reading: PyTorch's LambdaLR
 * applies factor(0) at construction and the reference steps the scheduler once at the END of each epoch, so
 * the epoch with 0-based index k in the phase trains with factor(k); with the default epoch_count = 1 that is
 * lr(k) = base · (1 − max(0, k + 1 − niter) / (niterDecay + 1)). The rate therefore stays at `base` for the
 * first `niter` epochs (k = 0 … niter − 1), then falls by base/(niterDecay + 1) per epoch, reaching
 * base/(niterDecay + 1) in the last of the niter + niterDecay epochs (never exactly 0). NOTE: past that
 * point the reference formula would go negative; we clamp at 0. 'constant' keeps `base` throughout.
 */

/** How the learning rate moves over a phase's epochs. */
export type LrPolicy = 'linear' | 'constant';

/** A phase's learning-rate schedule. */
export interface LrSchedule {
  readonly policy: LrPolicy;
  /** The starting rate; the reference uses 2e-4. */
  readonly base: number;
  /** Epochs at `base` ('linear' only). */
  readonly niter: number;
  /** Epochs of linear decay after `niter` ('linear' only). */
  readonly niterDecay: number;
}

/** The learning rate for the epoch with 0-based index `epochInPhase` within its phase. */
export function learningRateAt(schedule: LrSchedule, epochInPhase: number): number {
  assertSchedule(schedule);
  if (!Number.isInteger(epochInPhase) || epochInPhase < 0) {
    throw new RangeError(`learningRateAt expected a 0-based epoch index (integer >= 0), received ${String(epochInPhase)}`);
  }
  if (schedule.policy === 'constant') return schedule.base;
  const factor = 1 - Math.max(0, epochInPhase + 1 - schedule.niter) / (schedule.niterDecay + 1);
  return schedule.base * Math.max(0, factor);
}

/** Throws when a schedule is malformed, naming the field. */
export function assertSchedule(schedule: LrSchedule): void {
  if (schedule.policy !== 'linear' && schedule.policy !== 'constant') {
    throw new RangeError(`lr 'policy' expected 'linear' or 'constant', received ${JSON.stringify(schedule.policy)}`);
  }
  if (!Number.isFinite(schedule.base) || schedule.base < 0) {
    throw new RangeError(`lr 'base' expected a finite number >= 0, received ${String(schedule.base)}`);
  }
  for (const key of ['niter', 'niterDecay'] as const) {
    if (!Number.isInteger(schedule[key]) || schedule[key] < 0) {
      throw new RangeError(`lr '${key}' expected an integer >= 0, received ${String(schedule[key])}`);
    }
  }
}
