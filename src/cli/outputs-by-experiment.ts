/**
 * One line for a set of pinned outputs, counted by the experiment whose stage wrote each (the part of the
 * DVC stage name before `_`) or as `data (.dvc)` for `dvc add`-ed data — what `repro share` sent or
 * withheld and what `repro pull` could not bring.
 */

/** `data (.dvc): 1 output, demo: 12 outputs, paper: 3 outputs` */
export function outputsByExperiment(outputs: Record<string, { stage: string }>): string {
  const counts = new Map<string, number>();
  for (const { stage } of Object.values(outputs)) {
    const group = stage.endsWith('.dvc') ? 'data (.dvc)' : stage.split('_')[0]!;
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([group, n]) => `${group}: ${n} output${n === 1 ? '' : 's'}`).join(', ');
}
