/**
 * The trainer's `BatchSource` over two in-memory domains: at the start of every epoch it draws the epoch's
 * order (A shuffled, B uniformly at random, MODEL.md §2.5) from the trainer's rng, and each batch resizes,
 * crops and flips its images — and A's keep maps with exactly the same crop and flip — with draws from the
 * same rng, so a resumed run sees the very batches an uninterrupted one would. Each phase may train on
 * its own refined copy of the domains and its own image sizes.
 */
import type { Tf } from '../kit/tf-backend.js';
import type { BatchSource, EpochContext } from './trainer.js';
import { epochOrder, makeBatch, type AugmentSpec, type Domain, type EpochOrder } from './training-data.js';

/** The data and augmentation of one phase. */
export interface PhaseData {
  readonly a: Domain;
  readonly b: Domain;
  readonly augment: AugmentSpec;
}

/** A batch source serving `phases[i]` during phase i. */
export function createDomainBatchSource(tf: Tf, phases: readonly PhaseData[]): BatchSource {
  let order: EpochOrder | undefined;
  const dataOf = (phaseIndex: number): PhaseData => {
    const data = phases[phaseIndex];
    if (!data) throw new RangeError(`batch source expected data for phase ${phaseIndex}, received ${phases.length} phases`);
    return data;
  };
  return {
    itemsPerEpoch: (phaseIndex) => Math.max(dataOf(phaseIndex).a.names.length, dataOf(phaseIndex).b.names.length),
    startEpoch(context: EpochContext) {
      const { a, b } = dataOf(context.phaseIndex);
      order = epochOrder(context.rng, a.names.length, b.names.length, context.items);
    },
    batch(request) {
      if (!order) throw new Error('batch source expected startEpoch before the first batch, received none');
      const { a, b, augment } = dataOf(request.phaseIndex);
      const end = request.offset + request.size;
      const batchA = makeBatch(tf, a, order.a.slice(request.offset, end), augment, request.rng); // images [B, c, c, 3], keep [B, c, c, 1]
      const batchB = makeBatch(tf, b, order.b.slice(request.offset, end), augment, request.rng); // images [B, c, c, 3]
      if (batchB.keep) batchB.keep.dispose();
      return { a: batchA.images, b: batchB.images, keepA: batchA.keep };
    },
  };
}
