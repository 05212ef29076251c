/**
 * What `repro verify --recompute` sees on the demo, and what its tolerances and `--deterministic` are
 * calibrated on. In a fresh clone of this repository (its node_modules, .venv and demo data linked in):
 *   1. `repro run demo -n base`                 — the default settings (oneDNN, TensorFlow's own threads)
 *   2. `repro run demo --deterministic -n det`  — deterministic mode: the TensorFlow stages rerun with one
 *      thread, deterministic ops and Eigen instead of oneDNN: other float kernels, as on another CPU
 *   3. every output of every stage of `det` judged against `base` with the project's file judge: per stage
 *      the lowest SSIM, largest changed-pixel share, largest relative number and tensor differences —
 *      how far other kernels move the results, which the FLOAT_KERNELS tolerances must cover
 *   4. `repro verify base --recompute` — every stage rerun on this machine from base's pinned inputs.
 * Prints per-stage seconds of both runs and their ratio (the cost of deterministic mode), the measured
 * differences, and the recompute's verdicts and time. Usage: npx tsx bench/recompute.ts
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { FLOAT_KERNELS } from '../src/dsl/tolerance.js';
import { judgeFile } from '../src/runtime/runs/recompute/compare-output-file.js';
import { cacheObjectPath } from '../src/runtime/runs/dvc-cache.js';

const source = resolve('.');
const work = await mkdtemp(join(tmpdir(), 'repro-bench-recompute-'));
const root = join(work, 'demo');
const env = { ...process.env, DVC_NO_ANALYTICS: '1', NO_COLOR: '1' };
const repro = (...args: string[]) => execa(process.execPath, [join(root, 'bin', 'repro.mjs'), ...args], { cwd: root, env, reject: false, all: true });
const git = async (...args: string[]) => String((await execa('git', args, { cwd: root })).stdout);

try {
  await execa('git', ['clone', '-q', source, root]);
  for (const linked of ['node_modules', '.venv']) await symlink(join(source, linked), join(root, linked));
  if (!existsSync(join(source, 'data', 'demo'))) throw new Error('bench/recompute: run `npm install` first (it puts the demo photos in data/demo)');
  await cp(join(source, 'data'), join(root, 'data'), { recursive: true });
  for (const [key, value] of [['user.email', 'bench@repro.invalid'], ['user.name', 'repro bench']] as const) await execa('git', ['config', key, value], { cwd: root });

  const timed = async (label: string, ...args: string[]) => {
    const started = performance.now();
    const result = await repro(...args);
    const seconds = (performance.now() - started) / 1000;
    if (result.exitCode !== 0 && !args.includes('--recompute')) throw new Error(`${label} failed:\n${String(result.all).split('\n').slice(-30).join('\n')}`);
    console.log(`${label}: ${seconds.toFixed(0)} s`);
    return { result, seconds };
  };
  await timed('repro run demo -n base', 'run', 'demo', '-n', 'base');
  await timed('repro run demo --deterministic -n det', 'run', 'demo', '--deterministic', '-n', 'det');

  const records = await stageSeconds();
  console.log('\nper stage: seconds of base, of det, ratio (TensorFlow stages rerun under the switches; the others only when their inputs changed)');
  for (const [stage, base] of records.base) {
    const det = records.det.get(stage);
    console.log(`  ${stage.padEnd(34)} ${base.toFixed(1).padStart(7)} ${det === undefined ? '   (not rerun: same code and inputs)' : `${det.toFixed(1).padStart(7)}  ${(det / base).toFixed(2)}×`}`);
  }

  console.log('\ndet against base (other float kernels), per stage, under FLOAT_KERNELS:');
  const cache = join(root, '.dvc', 'cache');
  const locks = { base: await lockOf('base'), det: await lockOf('det') };
  for (const [stage, entry] of Object.entries(locks.det.stages ?? {})) {
    const baseEntry = locks.base.stages?.[stage];
    if (!baseEntry) continue;
    const worst = { files: 0, identical: 0, ssim: 1, changed: 0, relative: 0, tensorRelative: 0, diverged: [] as string[] };
    for (const out of entry.outs ?? []) {
      const other = baseEntry.outs?.find((o) => o.path === out.path);
      if (!other?.md5 || !out.md5) continue;
      for (const [path, a, b] of await pairs(cache, out.path, other.md5, out.md5)) {
        worst.files += 1;
        const judged = await judgeFile(path, a, b, FLOAT_KERNELS);
        if (judged.verdict === 'identical') worst.identical += 1;
        if (judged.verdict === 'diverged') worst.diverged.push(`${path}: ${judged.detail}`);
        worst.ssim = Math.min(worst.ssim, judged.measures.ssim ?? 1);
        worst.changed = Math.max(worst.changed, judged.measures.changedPixels ?? 0);
        worst.relative = Math.max(worst.relative, judged.measures.relative ?? 0);
        worst.tensorRelative = Math.max(worst.tensorRelative, judged.measures.tensorRelative ?? 0);
      }
    }
    console.log(`  ${stage.padEnd(34)} ${worst.identical}/${worst.files} identical; lowest SSIM ${worst.ssim.toFixed(4)}, most pixels changed ${(worst.changed * 100).toFixed(2)} %, numbers ${worst.relative.toExponential(2)} rel, tensors ${worst.tensorRelative.toExponential(2)} rel; ${worst.diverged.length} beyond FLOAT_KERNELS`);
    for (const line of worst.diverged.slice(0, 3)) console.log(`      ${line}`);
  }

  const recompute = await timed('\nrepro verify base --recompute (every stage, this machine)', 'verify', 'base', '--recompute', '--json', '--no-report');
  const verdicts = JSON.parse(String(recompute.result.stdout)) as { stages: { stage: string; verdict: string; files: number; identicalFiles: number; seconds: number }[] };
  for (const s of verdicts.stages) console.log(`  ${s.verdict.padEnd(16)} ${s.stage.padEnd(34)} ${s.identicalFiles}/${s.files} files identical, ${s.seconds} s`);
} finally {
  await rm(work, { recursive: true, force: true });
}

type Lock = { stages?: Record<string, { outs?: { path: string; md5?: string }[] }> };

async function lockOf(run: string): Promise<Lock> {
  const ref = (await git('for-each-ref', '--format=%(refname)', 'refs/exps/')).split('\n').find((r) => r.endsWith(`/${run}`))!;
  return (parseYaml(await git('show', `${ref}:dvc.lock`)) ?? {}) as Lock;
}

/** Seconds per stage of the newest run records named base and det. */
async function stageSeconds(): Promise<{ base: Map<string, number>; det: Map<string, number> }> {
  const out = { base: new Map<string, number>(), det: new Map<string, number>() };
  const { readRunRecords } = await import('../src/runtime/runs/run-record.js');
  for (const record of await readRunRecords(root)) {
    const target = record.experimentName === 'base' ? out.base : record.experimentName === 'det' ? out.det : undefined;
    if (!target || target.size > 0) continue;
    for (const s of record.stages ?? []) if (typeof s.seconds === 'number') target.set(s.stage, s.seconds);
  }
  return out;
}

/** The files of one output in both runs, matched by path: [path, base bytes, det bytes]. */
async function pairs(cache: string, path: string, baseMd5: string, detMd5: string): Promise<[string, Buffer, Buffer][]> {
  const read = (md5: string) => readFile(cacheObjectPath(cache, md5));
  if (!baseMd5.endsWith('.dir')) {
    if (existsSync(cacheObjectPath(cache, baseMd5))) return [[path, await read(baseMd5), await read(detMd5)]];
    // metrics and plots are not cached: git has them
    const show = async (run: string) => Buffer.from(await git('show', `${(await git('for-each-ref', '--format=%(refname)', 'refs/exps/')).split('\n').find((r) => r.endsWith(`/${run}`))}:${path}`));
    return [[path, await show('base'), await show('det')]];
  }
  const listing = async (md5: string) => new Map((JSON.parse((await read(md5)).toString('utf8')) as { relpath: string; md5: string }[]).map((e) => [e.relpath, e.md5]));
  const [a, b] = [await listing(baseMd5), await listing(detMd5)];
  const out: [string, Buffer, Buffer][] = [];
  for (const [relpath, md5] of a) {
    const other = b.get(relpath);
    if (other) out.push([`${path}/${relpath}`, await read(md5), await read(other)]);
  }
  return out;
}
