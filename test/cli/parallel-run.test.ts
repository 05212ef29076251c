/**
 * `repro run -j N` through the real CLI, real dvc and git: the lab project's two independent stages run
 * at the same time and the result — outputs, metrics and dvc.lock — is byte-identical to `-j 1` (DVC
 * running them one by one), `dvc status` is clean, every stage has its own log and prefixed lines; a
 * failing stage stops its downstream while its running sibling finishes and is kept in dvc.lock, and the
 * rerun after the fix runs only what did not finish; Ctrl-C stops the running stage (exit 130) and keeps
 * what finished.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { branchyExperiment, branchyFiles } from '../helpers/branchy-project.js';
import { labFiles } from '../helpers/lab-project.js';
import { execa } from 'execa';
import { ENV, makeTmpRepo, must, type TmpRepo } from '../helpers/tmp-repo.js';

const parallel = suite<{ one: TmpRepo; two: TmpRepo }>('repro run -j');

parallel.before(async (context) => {
  const files = await labFiles();
  context.one = await makeTmpRepo({ files, dvcAdd: ['data/raw'] });
  context.two = await makeTmpRepo({ files, dvcAdd: ['data/raw'] });
});
parallel.after(async ({ one, two }) => {
  await one?.remove();
  await two?.remove();
});

parallel('-j 2 runs the independent stages together; outputs and dvc.lock equal -j 1 byte for byte; dvc status clean', async ({ one, two }) => {
  const sequential = await must(one.repro('run', 'lab', '-j', '1', '--json'));
  const together = await must(two.repro('run', 'lab', '-j', '2', '--json'));
  assert.equal((JSON.parse(together.stdout) as { ran: string[] }).ran.sort(), (JSON.parse(sequential.stdout) as { ran: string[] }).ran.sort());
  const started = [...together.stderr.matchAll(/^\[(lab_[\w-]+)\] (started|finished)/gm)].map((m) => `${m[2]} ${m[1]}`);
  const firstFinish = started.findIndex((e) => e.startsWith('finished'));
  assert.equal(started.slice(0, firstFinish).sort(), ['started lab_count-files', 'started lab_resize-images'], `~> both independent stages started before either finished: ${started.join(', ')}`);
  assert.is(await two.read('dvc.lock'), await one.read('dvc.lock'), '~> dvc.lock is byte-identical');
  for (const path of ['out/lab/summarize/summary.json', 'out/lab/count-files/list.txt', 'reports/lab/summarize/counts.json']) {
    assert.is(await two.read(path), await one.read(path), `~> ${path}`);
  }
  const status = await must(two.dvc('status'));
  assert.match(status.stdout, /Data and pipelines are up to date/);
  const log = await readFile(join(two.root, 'runs', 'logs', 'lab_count-files.log'), 'utf8');
  assert.ok(log.length > 0, '~> each stage has its own log');
  const again = await must(two.repro('run', 'lab', '-j', '2'));
  assert.match(again.stdout, /nothing to run/);
});

parallel('a failing stage stops its downstream; the running sibling finishes and is kept; the rerun runs only the rest', async ({ two }) => {
  for (const [path, text] of Object.entries(branchyFiles({ slowMs: 4000, fail: true }))) await two.write(path, text);
  await must(two.git('add', '-A'));
  await must(two.git('commit', '-q', '-m', 'branchy'));
  const failed = await two.repro('run', 'branchy', '-j', '2', '--no-exp');
  assert.is(failed.exitCode, 1);
  assert.match(failed.stderr, /error stage 'branchy_flaky' failed \(exit 1\); 1 stage did not start; 1 finished stage recorded in dvc\.lock \(branchy_slow\)/);
  assert.match(failed.stderr, /flaky stage told to fail/);
  assert.match(failed.stderr, /runs\/logs\/branchy_flaky\.log/);
  const lock = await two.read('dvc.lock');
  assert.match(lock, /branchy_slow:/, '~> the sibling that was running finished and is in dvc.lock');
  assert.not.match(lock, /branchy_join:/, '~> the downstream never ran');
  await two.write('experiments/branchy.ts', branchyExperiment({ slowMs: 4000, fail: false }));
  const rerun = JSON.parse((await must(two.repro('run', 'branchy', '-j', '2', '--no-exp', '--json'))).stdout) as { ran: string[] };
  assert.equal(rerun.ran.sort(), ['branchy_flaky', 'branchy_join'], '~> the finished stage did not run again');
  assert.is(await two.read('out/branchy/join/both.txt'), 'slow\nflaky\n');
});

parallel('Ctrl-C stops the running stage and keeps the finished one; exit 130; the rerun runs only the rest', async ({ one }) => {
  for (const [path, text] of Object.entries(branchyFiles({ slowMs: 60000, fail: false }))) await one.write(path, text);
  await must(one.git('add', '-A'));
  await must(one.git('commit', '-q', '-m', 'branchy'));
  const child = execa(process.execPath, [join(one.root, 'bin', 'repro.mjs'), 'run', 'branchy', '-j', '2', '--no-exp'], { cwd: one.root, env: ENV, reject: false, stdin: 'ignore' });
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (/\[branchy_flaky\] finished/.test(seen) && /\[branchy_slow\] start/.test(seen)) resolve();
    });
  });
  child.kill('SIGINT');
  const stopped = await child;
  assert.is(stopped.exitCode, 130, String(stopped.stderr));
  assert.match(String(stopped.stderr), /error run expected to finish, received an interrupt; 1 finished stage recorded in dvc\.lock \(branchy_flaky\)/);
  assert.match(String(stopped.stderr), /stage 'branchy_slow' was interrupted; its outputs were not written/, String(stopped.stderr));
  const lock = await one.read('dvc.lock');
  assert.match(lock, /branchy_flaky:/);
  assert.not.match(lock, /branchy_slow:/);
  await one.write('experiments/branchy.ts', branchyExperiment({ slowMs: 10, fail: false }));
  const rerun = JSON.parse((await must(one.repro('run', 'branchy', '-j', '2', '--no-exp', '--json'))).stdout) as { ran: string[] };
  assert.equal(rerun.ran.sort(), ['branchy_join', 'branchy_slow'], '~> the finished stage did not run again');
});

parallel('-j that is not a whole number ≥ 1 is refused, naming what it got', async ({ one }) => {
  const result = await one.repro('run', 'lab', '-j', '0');
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /-j expected a whole number of stages ≥ 1, received '0'/);
});

parallel.run();
