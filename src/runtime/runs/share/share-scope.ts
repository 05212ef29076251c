/**
 * Which of a run's pinned outputs a share carries. A run's dvc.lock holds the results of every experiment
 * run so far in the project, not only of the ones this run ran; sending all of them makes a share of a
 * two-stage experiment upload every earlier result (162 objects, measured). The scope is the stages of the
 * run's experiments and, transitively, whatever they read: the stages and `dvc add`-ed data (`.dvc` files)
 * that own a path one of their deps names, or a path under it. Everything else is withheld unless the
 * share is asked for all.
 */
import type { OutputPin } from './manifest.js';

/** dvc.lock's stages as far as the scope needs them. */
export type LockStages = Record<string, { deps?: readonly { path: string }[] } | undefined>;

export interface ShareScope {
  /** outputs the share carries, by path */
  readonly sent: Record<string, OutputPin>;
  /** outputs of the lock it leaves out, by path */
  readonly withheld: Record<string, OutputPin>;
  /** the lock's stages whose outputs it carries */
  readonly stages: ReadonlySet<string>;
}

/**
 * Splits `outputs` (lock outputs and tracked data, each naming its stage or `.dvc` file) into what a share
 * of `experiments` carries and what it withholds. `all` carries everything.
 */
export function shareScope(outputs: Record<string, OutputPin>, lock: LockStages, experiments: readonly string[], all: boolean | undefined = false): ShareScope {
  const owners = Object.entries(outputs).map(([path, pin]) => ({ path, owner: pin.stage }));
  const ownersOf = (dep: string) => owners.filter(({ path }) => dep === path || dep.startsWith(`${path}/`) || path.startsWith(`${dep}/`)).map(({ owner }) => owner);
  const wanted = new Set(experiments);
  const chosen = new Set<string>();
  const queue = Object.keys(lock).filter((stage) => all || wanted.has(experimentOf(stage)));
  while (queue.length > 0) {
    const owner = queue.pop()!;
    if (chosen.has(owner)) continue;
    chosen.add(owner);
    for (const dep of lock[owner]?.deps ?? []) queue.push(...ownersOf(dep.path).filter((o) => !chosen.has(o)));
  }
  const sent: Record<string, OutputPin> = {};
  const withheld: Record<string, OutputPin> = {};
  for (const [path, pin] of Object.entries(outputs)) {
    if (all || chosen.has(pin.stage)) sent[path] = pin;
    else withheld[path] = pin;
  }
  return { sent, withheld, stages: new Set([...chosen].filter((owner) => owner in lock)) };
}

/** The experiment a DVC stage belongs to: `demo` for `demo_warp`. */
export function experimentOf(stage: string): string {
  return stage.split('_')[0]!;
}
