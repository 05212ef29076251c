/**
 * One Python process with DVC loaded for a whole parallel run. `repro run -j N` records each finished stage
 * with a commit and asks DVC's run cache about each stage that becomes ready; as separate `dvc commit` and
 * Python starts that cost about 0.5 s each, twice per stage, which a sequential `dvc repro` (one process)
 * does not pay. Here requests — the plan (stage-plan.ts), then commits and restores — go to one helper over its stdin and stdout, a JSON line each way, one at a
 * time. Each request opens the repository afresh, as a new CLI call would (dvc.yaml, dvc.lock and the
 * workspace are read again), and does what the CLI does: a commit is `dvc commit --force <stage>…`
 * (`Repo.commit` per target, no deps, not recursive, relinking); a restore is the other half of DVC's run
 * cache: `dvc repro` does not run a changed stage whose deps and params match an earlier run it saved, it
 * checks that run's outputs out instead — so, as `Stage.run` does first, the stage's outputs are removed and
 * restored through `stage_cache.restore` (the CLI has no restore-only command), and a stage restored so is
 * committed, not run. DVC's own prints go to stderr, so stdout carries only the replies. The helper ignores
 * SIGINT, so after Ctrl-C the finished stages can still be committed; it exits when its stdin closes.
 */
import { execa } from 'execa';
import { ReproError } from '../../errors.js';
import { dvcPython } from '../dvc.js';

/** DVC requests for one run, answered in the order they are made. */
export interface DvcSession {
  /**
   * the stages `dvc repro <targets>` would visit, in its order (dvc/repo/reproduce.py), as DVC addresses;
   * under DVC's repository lock, so a repository another dvc holds is found before any stage starts
   */
  planRepro(targets: readonly string[]): Promise<string[]>;
  /** records the stages in dvc.lock and the run cache, in the order given, as `dvc commit --force` does */
  commit(stages: readonly string[]): Promise<void>;
  /** removes each stage's outputs and restores them from DVC's run cache; the stages it restored */
  restore(stages: readonly string[]): Promise<Set<string>>;
  /** ends the helper (waits for it to exit) */
  close(): Promise<void>;
  /** the helper's process id once it has started */
  readonly pid: number | undefined;
}

const HELPER = `
import json, signal, sys, traceback
signal.signal(signal.SIGINT, signal.SIG_IGN)
replies = sys.stdout
sys.stdout = sys.stderr
from dvc.repo import Repo
from dvc.repo.reproduce import collect_stages, get_active_graph, plan_repro
from dvc.stage.cache import RunCacheNotFoundError

def plan(targets):
    with Repo('.') as repo, repo.lock:
        steps = plan_repro(get_active_graph(repo.index.graph), collect_stages(repo, targets))
        return {'stages': [step.addressing for step in steps]}

def commit(stages):
    with Repo('.') as repo:
        for name in stages:
            repo.commit(name, with_deps=False, recursive=False, force=True, relink=True)
    return {}

def restore(stages):
    restored = []
    with Repo('.') as repo, repo.lock:
        for name in stages:
            stage = collect_stages(repo, [name])[0]
            stage.remove_outs(ignore_remove=False, force=False)
            try:
                repo.stage_cache.restore(stage)
                restored.append(name)
            except RunCacheNotFoundError:
                pass
    return {'restored': restored}

for line in sys.stdin:
    request = json.loads(line)
    try:
        reply = {'ok': True, **{'plan': plan, 'commit': commit, 'restore': restore}[request['op']](request['stages'])}
    except Exception as error:
        reply = {'ok': False, 'error': f'{type(error).__name__}: {error}', 'trace': traceback.format_exc()}
    replies.write(json.dumps(reply) + '\\n')
    replies.flush()
`;

interface Reply {
  readonly ok: boolean;
  readonly restored?: string[];
  readonly stages?: string[];
  readonly error?: string;
  readonly trace?: string;
}

/** The helper process in `root`. */
function spawnHelper(root: string) {
  return execa(dvcPython(root), ['-c', HELPER], { cwd: root, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false });
}

/** Starts the helper lazily, on the first request. */
export function openDvcSession(root: string): DvcSession {
  let child: ReturnType<typeof spawnHelper> | undefined;
  let lines: AsyncIterator<string> | undefined;
  let stderr = '';
  let queue: Promise<unknown> = Promise.resolve();

  const started = () => {
    if (child) return child;
    child = spawnHelper(root);
    // NOTE: a helper that died leaves a closed pipe; the request then fails on the missing reply, not on EPIPE
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000); // the tail, for an error message
    });
    lines = child.iterable({ from: 'stdout' })[Symbol.asyncIterator]() as AsyncIterator<string>;
    return child;
  };

  const ask = (op: 'plan' | 'commit' | 'restore', stages: readonly string[]): Promise<Reply> => {
    const next = queue.then(async () => {
      const helper = started();
      helper.stdin.write(`${JSON.stringify({ op, stages })}\n`);
      const line = await lines!.next();
      if (line.done) {
        const ended = await helper;
        throw new ReproError('DVC_FAILED', `dvc ${op} of ${stages.join(', ')} expected a reply from DVC, received none: its helper exited (${ended.signal ?? `code ${ended.exitCode}`})${stderr ? `\n    ${stderr.trim().split('\n').slice(-8).join('\n    ')}` : ''}`);
      }
      const reply = JSON.parse(line.value) as Reply;
      if (!reply.ok) {
        throw new ReproError('DVC_FAILED', `dvc ${op} of ${stages.join(', ')} failed: ${reply.error}\n    ${(reply.trace ?? '').trim().split('\n').slice(-6).join('\n    ')}`);
      }
      return reply;
    });
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    async planRepro(targets) {
      return (await ask('plan', targets)).stages ?? [];
    },
    async commit(stages) {
      if (stages.length > 0) await ask('commit', stages);
    },
    async restore(stages) {
      if (stages.length === 0) return new Set();
      return new Set((await ask('restore', stages)).restored ?? []);
    },
    async close() {
      await queue;
      if (!child) return;
      child.stdin.end();
      await child;
    },
    get pid() {
      return child?.pid;
    },
  };
}
