/**
 * Styles per mask kind: surgical, N95 and KN95 are plain non-woven in medical colours, only N95 and KN95
 * may have a valve, cloth is printed; the user's colours replace a kind's palette, the user's textures
 * narrow its set, and textures that fit nothing leave the kind its own set with a note.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KIND_STYLES, chooseStyleChoices, listAllowedTextures } from '../../../src/vision/masks/kind-styles.js';
import { KINDS_WITH_VALVE, MASK_KINDS } from '../../../src/vision/masks/templates.js';

const styles = suite('KIND_STYLES');

styles('has a look for every kind; only kinds with a valve have a valve chance', () => {
  assert.equal(Object.keys(KIND_STYLES).sort(), [...MASK_KINDS].sort());
  for (const kind of MASK_KINDS) {
    const { colours, valveChance } = KIND_STYLES[kind];
    assert.ok(colours.every((c) => /^#[0-9a-f]{6}$/.test(c)), `~> ${kind} colours are #rrggbb`);
    assert.is(valveChance > 0, (KINDS_WITH_VALVE as readonly string[]).includes(kind), `~> ${kind} valve chance ${valveChance}`);
  }
});

styles('keeps prints off medical masks and puts them on cloth', () => {
  for (const kind of ['surgical', 'n95', 'kn95'] as const) assert.equal(listAllowedTextures(kind).sort(), ['nonwoven', 'plain'], `~> ${kind}`);
  assert.equal(listAllowedTextures('cloth'), ['weave', 'dots', 'stripes', 'check', 'floral']);
  assert.equal([...new Set(KIND_STYLES.surgical.colours)].sort(), ['#27282c', '#8ccfb4', '#9cc8e8', '#f2f3f0'], '~> black, green, light blue, white');
});

styles.run();

// ---

const choose = suite('chooseStyleChoices');

choose("gives the kind's own set when the user chose nothing", () => {
  assert.equal(chooseStyleChoices('kn95', {}), { colours: KIND_STYLES.kn95.colours, textures: KIND_STYLES.kn95.textures, valveChance: KIND_STYLES.kn95.valveChance });
});

choose("replaces the palette with the user's colours, for every kind", () => {
  for (const kind of MASK_KINDS) assert.equal(chooseStyleChoices(kind, { colours: ['#ff0000'] }).colours, ['#ff0000'], `~> ${kind}`);
});

choose("narrows the kind's textures to the user's", () => {
  const surgical = chooseStyleChoices('surgical', { textures: ['stripes', 'plain', 'check'] });
  assert.equal(surgical.textures, ['plain']);
  assert.is(surgical.note, undefined);
  assert.equal(chooseStyleChoices('cloth', { textures: ['stripes', 'plain', 'check'] }).textures, ['stripes', 'check']);
});

choose("keeps the kind's own textures, with a note, when none of the user's fit", () => {
  const got = chooseStyleChoices('surgical', { textures: ['stripes', 'floral'] });
  assert.equal(got.textures, KIND_STYLES.surgical.textures);
  assert.is(got.note, "textures 'stripes', 'floral' do not fit a surgical mask (it takes 'nonwoven', 'plain'); drew from its own");
  assert.match(chooseStyleChoices('cloth', { textures: ['nonwoven'] }).note ?? '', /do not fit a cloth mask \(it takes 'weave', 'dots', 'stripes', 'check', 'floral'\)/);
});

choose.run();
