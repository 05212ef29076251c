/**
 * The hand-drawn SVG charts and the HTML helpers of the reports: nice tick steps, one polyline per series
 * (a dot for a single point, dashes when asked), "no data" for empty series, and escaping of user text.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeHtml, formatDelta, formatNumber } from '../../../../src/runtime/runs/report/html.js';
import { lineChart, niceTicks } from '../../../../src/runtime/runs/report/svg-chart.js';

// ---
const ticks = suite('niceTicks');

ticks('steps of 1, 2 or 5 × 10ⁿ inside the range', () => {
  assert.equal(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.equal(niceTicks(0.11, 0.52, 4), [0.2, 0.4], '~> span 0.41 / 4 > 0.1, so steps of 0.2');
  assert.equal(niceTicks(0.11, 0.52, 5), [0.2, 0.3, 0.4, 0.5]);
  assert.equal(niceTicks(3, 3, 5), [3]);
});

// ---
const chart = suite('lineChart');

chart('a polyline per series, dashed b, a dot for one point, escaped labels', () => {
  const svg = lineChart(
    [
      { label: 'a <run>', colour: '#1f77b4', points: [[1, 3], [2, 2], [3, 1.5]] },
      { label: 'b', colour: '#e8710a', dashed: true, points: [[1, 2], [2, 1], [3, Number.NaN]] },
      { label: 'c', colour: '#2ca02c', points: [[2, 2]] },
    ],
    { title: 'loss', xLabel: 'epoch' },
  );
  assert.is([...svg.matchAll(/<polyline /g)].length, 2);
  assert.is([...svg.matchAll(/<circle /g)].length, 1, '~> the single point');
  assert.match(svg, /stroke="#e8710a" stroke-width="1\.8" stroke-dasharray="5 3"/);
  assert.match(svg, /a &lt;run&gt;/);
  assert.not.match(svg, /NaN/, '~> non-finite points skipped');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*aria-label="loss"/);
});

chart('no points says so', () => {
  assert.match(lineChart([{ label: 'a', colour: '#000', points: [] }], { title: 't', xLabel: 'x' }), />no data</);
});

// ---
const html = suite('html helpers');

html('escaping and number formats', () => {
  assert.is(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.is(formatNumber(0.123456789), '0.123457');
  assert.is(formatNumber(12), '12');
  assert.is(formatDelta(-0.5), '−0.5');
  assert.is(formatDelta(2), '+2');
});

ticks.run();
chart.run();
html.run();
