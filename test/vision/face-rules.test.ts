/**
 * `judgeFace`'s outside-share rule on the synthetic face (test/helpers/synthetic-face.ts): the whole
 * 200×200 picture holds the aligned crop (share 0); a tight cut of it does not, the share is reported
 * in the scores and a face above `maxOutsideShare` is rejected as 'outside-photo', below it is not.
 * Real sharp, no face detector (the landmarks are the synthetic face's own).
 */
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eyeTransform, outsideShare } from '../../src/vision/align.js';
import type { DetectedFace } from '../../src/vision/faces.js';
import { judgeFace, MAX_OUTSIDE_SHARE } from '../../src/vision/face-rules.js';
import type { RawImage } from '../../src/vision/types.js';
import { makeSyntheticFacePng, SYNTHETIC_FACE } from '../helpers/synthetic-face.js';

/** The synthetic face picture cut to `box`, and the face's landmarks in the cut's pixels. */
async function cutFace(box: { left: number; top: number; width: number; height: number }): Promise<{ photo: RawImage; face: DetectedFace }> {
  const { data, info } = await sharp(await makeSyntheticFacePng()).extract(box).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const photo: RawImage = { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
  const landmarks = SYNTHETIC_FACE.map(([x, y]) => [x - box.left, y - box.top] as const);
  return { photo, face: { box: { x: 40 - box.left, y: 60 - box.top, width: 120, height: 114 }, score: 0.9, landmarks } };
}

const PARAMS = { size: 64, minSharpness: 0, duplicateHamming: -1 };

const rule = suite('judgeFace: outside share');

rule('a face whose crop lies inside the photo scores 0 and passes', async () => {
  // eyes 50 px apart → a 139 px crop around x 31..169, y 24..163: inside the 200×200 picture
  const { photo, face } = await cutFace({ left: 0, top: 0, width: 200, height: 200 });
  const verdict = judgeFace(photo, face, PARAMS, []);
  assert.is(verdict.scores.outsideShare, 0, '~> nothing outside');
  assert.is.not(verdict.reason, 'outside-photo');
});

rule('a tight cut reports its share and is rejected above the limit only', async () => {
  const { photo, face } = await cutFace({ left: 50, top: 55, width: 100, height: 125 });
  const share = outsideShare(eyeTransform(face.landmarks, { size: 64 }), 64, 64, photo.width, photo.height);
  // the crop spans ~139 px around (100, 80): the cut keeps x 50..150 (100 of 139) and y 55..163 (108 of 139)
  assert.ok(share > 0.4 && share < 0.5, `~> about 1 − (100·108)/139² ≈ 0.44 outside (${share})`);
  const strict = judgeFace(photo, face, { ...PARAMS, maxOutsideShare: share - 0.01 }, []);
  assert.is(strict.reason, 'outside-photo', '~> rejected above the limit');
  assert.is(strict.scores.outsideShare, Math.round(share * 10_000) / 10_000, '~> the share in the scores');
  assert.ok(strict.aligned, '~> with its crop, for the reject sheet');
  const lenient = judgeFace(photo, face, { ...PARAMS, maxOutsideShare: share + 0.01 }, []);
  assert.is.not(lenient.reason, 'outside-photo', '~> kept by this rule below the limit');
  assert.ok(share > MAX_OUTSIDE_SHARE, '~> and over the default limit');
  assert.is(judgeFace(photo, face, PARAMS, []).reason, 'outside-photo', '~> rejected by default');
});

rule.run();
