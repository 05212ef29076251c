/**
 * `#rrggbb` helpers: checking, parsing, formatting, mixing and brightness.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { brightnessOf, checkHexColour, formatHexColour, mixColours, parseHexColour } from '../../../src/vision/masks/colour.js';

const check = suite('checkHexColour / parseHexColour / formatHexColour');

check('accepts #rrggbb (lower-casing it) and refuses anything else', () => {
  assert.is(checkHexColour('#AbCdEf'), '#abcdef');
  assert.throws(() => checkHexColour('#abc', 'fabric'), /fabric expected '#rrggbb', received '#abc'/);
  assert.equal(parseHexColour('#ff8000'), [255, 128, 0]);
  assert.is(formatHexColour([300, -4, 127.6]), '#ff0080');
});

check.run();

// ---

const mix = suite('mixColours / brightnessOf');

mix('mixes linearly; white is bright, black is dark', () => {
  assert.is(mixColours('#000000', '#ffffff', 0.5), '#808080');
  assert.is(mixColours('#102030', '#102030', 0.3), '#102030');
  assert.ok(Math.abs(brightnessOf('#ffffff') - 1) < 1e-9, '~> white');
  assert.is(brightnessOf('#000000'), 0);
});

mix.run();
