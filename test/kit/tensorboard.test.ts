/**
 * TensorBoard scalars: on the native backend an events file appears, its TFRecord framing checks out
 * (length, masked CRC32C of length and of data) and a record holds the tag; without `tf.node` the log is
 * inactive, says why and writes nothing; bad steps and writes after close are named errors.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectBackendKind, loadTensorflow, type Tf } from '../../src/kit/tf-backend.js';
import { openScalarLog } from '../../src/kit/tensorboard.js';

const tf = await loadTensorflow(detectBackendKind());
const native = typeof (tf as unknown as { node?: { summaryFileWriter?: unknown } }).node?.summaryFileWriter === 'function';

/** CRC-32C (Castagnoli), bitwise: fine for a few small records. */
function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC. */
const masked = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

/** The data of every record, checking the framing. */
function readRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let at = 0;
  while (at < file.length) {
    const length = Number(file.readBigUInt64LE(at));
    assert.is(file.readUInt32LE(at + 8), masked(crc32c(file.subarray(at, at + 8))), `~> length crc at ${at}`);
    const data = file.subarray(at + 12, at + 12 + length);
    assert.is(file.readUInt32LE(at + 12 + length), masked(crc32c(data)), `~> data crc at ${at}`);
    records.push(data);
    at += 12 + length + 4;
  }
  assert.is(at, file.length, '~> records fill the file exactly');
  return records;
}

// ---
const openSuite = suite('openScalarLog');

openSuite('~> on the native backend, writes a TFRecord events file holding the tag', async () => {
  if (!native) {
    console.warn(`skipped: backend '${tf.getBackend()}' has no tf.node`);
    return;
  }
  const dir = join(await mkdtemp(join(tmpdir(), 'repro-tensorboard-')), 'logs');
  const log = openScalarLog(tf, dir);
  assert.ok(log.active, '~> active');
  assert.is(log.inactiveReason, undefined, '~> no reason');
  for (let step = 0; step < 3; step += 1) log.scalar('loss/g_total', 1 / (step + 1), step);
  log.scalar('loss/nan', NaN, 3);
  log.close();
  const files = (await readdir(dir)).filter((f) => f.startsWith('events.out.tfevents.'));
  assert.is(files.length, 1, '~> one events file');
  const bytes = await readFile(join(dir, files[0]!));
  assert.ok(bytes.length > 0, '~> non-empty');
  const records = readRecords(bytes);
  assert.ok(records.length >= 4, `~> a file-version record plus the scalars (${records.length})`);
  assert.ok(records.some((r) => r.includes('loss/g_total')), '~> the tag is in a record');
  assert.throws(() => log.scalar('loss/g_total', 1, 4), /expected to be open, received a write to 'loss\/g_total' after close\(\)/);
});

openSuite('~> without tf.node, inactive, says why, writes nothing', async () => {
  const dir = join(await mkdtemp(join(tmpdir(), 'repro-tensorboard-')), 'logs');
  const fake = { getBackend: () => 'wasm' } as unknown as Tf;
  const log = openScalarLog(fake, dir);
  assert.is(log.active, false, '~> inactive');
  assert.match(log.inactiveReason ?? '', /tf\.node\.summaryFileWriter is absent \(backend 'wasm'/);
  log.scalar('loss', 1, 0);
  log.flush();
  log.close();
  assert.is(existsSync(dir), false, '~> no folder made');
});

openSuite('~> a bad step or tag is named', () => {
  const log = openScalarLog({ getBackend: () => 'cpu' } as unknown as Tf, join(tmpdir(), 'unused'));
  assert.throws(() => log.scalar('loss', 1, 1.5), /'loss' step expected a non-negative integer, received 1\.5/);
  assert.throws(() => log.scalar('', 1, 0), /tag expected a non-empty string/);
});

openSuite.run();
