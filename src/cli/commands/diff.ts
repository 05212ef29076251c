/**
 * `repro diff <a> <b> [--json] [--all] [--no-report]`: params and metrics that changed (old → new, delta),
 * the sample grids of both runs ranked by change (SSIM, changed pixels), and where the HTML report is.
 */
import { diffRuns } from '../../runtime/runs/diff.js';
import type { DiffResult } from '../../runtime/runs/diff-result.js';
import { findProjectRoot } from '../../runtime/project.js';
import type { ValueChange } from '../../runtime/runs/value-diff.js';
import { ReproError } from '../../errors.js';
import { cellOf, formatTextTable } from '../text-table.js';

interface DiffFlags {
  json?: boolean;
  all?: boolean;
  report?: boolean;
}

export async function diffCommand(a: string | undefined, b: string | undefined, flags: DiffFlags): Promise<number> {
  if (!a || !b) {
    throw new ReproError('USAGE', `repro diff expected two runs, received ${[a, b].filter(Boolean).length}`, { hint: 'run `repro runs` to list them, then `repro diff <a> <b>` (or `repro diff <a> workspace`)' });
  }
  const result = await diffRuns(findProjectRoot(), a, b, { all: flags.all === true, report: flags.report !== false });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${summarize(result).join('\n')}\n`);
  return 0;
}

function summarize(result: DiffResult): string[] {
  const describe = (side: 'a' | 'b') => {
    const r = result[side];
    const what = r.kind === 'workspace' ? 'workspace' : `${r.kind} ${r.rev!.slice(0, 7)}${r.baseline ? `, baseline ${r.baseline.slice(0, 7)}` : ''}`;
    return `${side}  ${r.label}  (${what})`;
  };
  const lines = [describe('a'), describe('b'), ''];
  lines.push(...changes('params', result.params), ...changes('metrics', result.metrics));
  lines.push(`grids: ${result.grids.length} in both runs, most changed first (a pixel changed when a channel differs by more than ${result.grids[0]?.threshold ?? 8}/255)`);
  const rows = result.grids.map((g, i) => [
    `${i + 1}.`,
    g.path,
    `SSIM ${cellOf(Number(g.ssim.toFixed(4)))}`,
    `changed ${(g.changedFraction * 100).toFixed(2)} %`,
    g.identical ? 'identical' : g.resizedFrom ? `b was ${g.resizedFrom.width}x${g.resizedFrom.height}` : '',
  ]);
  if (rows.length > 0) lines.push(...formatTextTable(['', 'output', 'ssim', 'pixels', ''], rows, { maxWidth: 80 }).slice(1).map((l) => `  ${l}`));
  for (const path of result.onlyInA) lines.push(`  only in a: ${path}`);
  for (const path of result.onlyInB) lines.push(`  only in b: ${path}`);
  if (result.report) lines.push('', `report: ${result.report}`);
  return lines;
}

/**
 * Keys both runs have, one line each; keys only one run has (a whole experiment or stage added) are
 * summed up per experiment instead, so they do not bury the changes (--json lists every key).
 */
function changes(title: string, values: Readonly<Record<string, ValueChange>>): string[] {
  const keys = Object.keys(values);
  if (keys.length === 0) return [`${title}: no change`];
  const both = keys.filter((k) => values[k]!.old !== null && values[k]!.new !== null);
  const rows = both.map((k) => {
    const c = values[k]!;
    const delta = c.diff === undefined ? '' : `(${c.diff > 0 ? '+' : ''}${cellOf(c.diff)})`;
    return [k, `${cellOf(c.old)} → ${cellOf(c.new)}`, delta];
  });
  const lines = [`${title}:`, ...formatTextTable(['', '', ''], rows, { maxWidth: 80 }).slice(1).map((l) => `  ${l}`)];
  for (const side of ['a', 'b'] as const) {
    const only = keys.filter((k) => (side === 'a' ? values[k]!.new === null : values[k]!.old === null));
    if (only.length === 0) continue;
    const counts = new Map<string, number>();
    for (const k of only) counts.set(k.split('.')[0]!, (counts.get(k.split('.')[0]!) ?? 0) + 1);
    lines.push(`  only in ${side}: ${[...counts].map(([group, n]) => `${n} ${title} of '${group}'`).join(', ')} (--json lists them)`);
  }
  return lines;
}
