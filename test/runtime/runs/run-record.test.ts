/**
 * The run journal and record: journal lines with seconds (a torn last line skipped), the experiment name
 * from `dvc exp run`'s output, and which record belongs to a run — by experiment commit, then name, then
 * the hash of its dvc.lock; records without timings never match.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { experimentNameFromOutput, findRunRecord, lockHash, parseJournal, type RunRecord } from '../../../src/runtime/runs/run-record.js';

const record = (fields: Partial<RunRecord>): RunRecord => ({
  finishedAt: '2026-01-01T00:00:00.000Z',
  mode: 'exp',
  targets: [],
  ran: [],
  stages: [{ stage: 's', seconds: 1 }],
  ...fields,
});

// ---
const journal = suite('parseJournal');

journal('reads stage and seconds; skips a torn line and old lines keep working', () => {
  assert.equal(parseJournal('{"stage":"a","seconds":1.5}\n{"stage":"b"}\n{"stage":"c","sec'), [{ stage: 'a', seconds: 1.5 }, { stage: 'b' }]);
});

// ---
const name = suite('experimentNameFromOutput');

name("takes the name from DVC's closing line", () => {
  assert.is(experimentNameFromOutput("Updating lock file 'dvc.lock'\n\nRan experiment(s): dozen-grot\nExperiment results have been applied to your workspace.\n"), 'dozen-grot');
  assert.is(experimentNameFromOutput('Running stage'), null);
});

// ---
const find = suite('findRunRecord');

find('experiment commit first, then name (same lock), then lock hash', () => {
  const lock = lockHash('stages: {}\n');
  const records = [
    record({ finishedAt: '3', experimentName: 'wide', experimentRev: 'r2', lock: 'other' }),
    record({ finishedAt: '2', experimentName: 'base', experimentRev: 'r1', lock }),
    record({ finishedAt: '1', experimentName: null, lock: 'repro-run', mode: 'repro' }),
  ];
  assert.is(findRunRecord(records, { rev: 'r1', experimentName: 'base', lock })?.finishedAt, '2');
  assert.is(findRunRecord(records, { rev: 'unknown', experimentName: 'wide', lock: null })?.finishedAt, '3');
  assert.is(findRunRecord(records, { rev: 'c0ffee', lock: 'repro-run' })?.finishedAt, '1', '~> a commit made after repro run --no-exp');
  assert.is(findRunRecord(records, { rev: 'nope', experimentName: 'nope', lock: 'nope' }), undefined);
  assert.is(findRunRecord([record({ experimentRev: 'r1', stages: [{ stage: 's' }] })], { rev: 'r1', lock: null }), undefined, '~> untimed records do not count');
});

journal.run();
name.run();
find.run();
