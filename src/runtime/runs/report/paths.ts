/**
 * Where reports go and what their files are called: `reports/diff-<a>-<b>/`, `reports/run-<run>/` and
 * `reports/verify-<run>/`, with run names made safe for a folder name (anything but letters, digits, `.`,
 * `_` and `-` becomes `_`; leading dots are dropped; at most 60 characters), and one image file per output
 * path under `images/`.
 */

/** A run name as a file-name part: `feature/x` → `feature_x`, `HEAD~1` → `HEAD_1`. */
export function sanitizeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 60);
  return safe || '_';
}

/** `reports/diff-<a>-<b>` (project-relative). */
export function diffReportDir(a: string, b: string): string {
  return `reports/diff-${sanitizeName(a)}-${sanitizeName(b)}`;
}

/** `reports/verify-<run>` (project-relative). */
export function verifyReportDir(run: string): string {
  return `reports/verify-${sanitizeName(run)}`;
}

/** `reports/run-<run>` (project-relative). */
export function runReportDir(run: string): string {
  return `reports/run-${sanitizeName(run)}`;
}

/** `images/lab--train--samples--epoch-0001.png` for `out/lab/train/samples/epoch-0001.png`. */
export function imageFileName(outputPath: string): string {
  const stem = outputPath.replace(/^out\//, '').replace(/\.png$/i, '').split('/').map(sanitizeName).join('--');
  return `images/${stem}.png`;
}
