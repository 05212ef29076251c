/**
 * A synthetic frontal face for stage tests: the hand-made symmetric 68-point landmark set of
 * test/vision/face-geometry.test.ts (200×200 canvas, face axis x = 100) and a matching picture — a
 * skin-coloured oval with eyes, nose and mouth on a gray background — made with sharp.
 */
import sharp from 'sharp';
import type { Landmarks68 } from '../../src/vision/types.js';

/**
 * Jaw 0..16 is a U from (40,80) down to the chin (100,174) and up to (160,80); eye centres (75,80) and
 * (125,80); nose bridge 27 (100,80) → 30 (100,112); lowest bottom-lip y 150 (57).
 */
export const SYNTHETIC_FACE: Landmarks68 = [
  // jaw 0..16
  [40, 80], [41, 95], [43, 110], [46, 125], [50, 140], [56, 152], [64, 162], [80, 170], [100, 174],
  [120, 170], [136, 162], [144, 152], [150, 140], [154, 125], [157, 110], [159, 95], [160, 80],
  // brows 17..26
  [55, 65], [62, 61], [70, 60], [78, 61], [86, 63], [114, 63], [122, 61], [130, 60], [138, 61], [145, 65],
  // nose bridge 27..30, nostrils 31..35
  [100, 80], [100, 90], [100, 101], [100, 112], [90, 115], [95, 117], [100, 118], [105, 117], [110, 115],
  // eyes 36..41 and 42..47
  [65, 80], [70, 77], [80, 77], [85, 80], [80, 83], [70, 83],
  [115, 80], [120, 77], [130, 77], [135, 80], [130, 83], [120, 83],
  // outer lips 48..59, inner lips 60..67
  [80, 140], [87, 136], [94, 134], [100, 135], [106, 134], [113, 136], [120, 140], [113, 146], [106, 149], [100, 150], [94, 149], [87, 146],
  [84, 140], [94, 139], [100, 139], [106, 139], [116, 140], [106, 142], [100, 143], [94, 142],
];

/** A 200×200 PNG of a face drawn where SYNTHETIC_FACE's landmarks are. */
export async function makeSyntheticFacePng(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">
    <rect width="200" height="200" fill="#7a7f86"/>
    <ellipse cx="100" cy="110" rx="62" ry="70" fill="#e0b596"/>
    <ellipse cx="75" cy="80" rx="9" ry="4" fill="#3b2a20"/><ellipse cx="125" cy="80" rx="9" ry="4" fill="#3b2a20"/>
    <path d="M100 80 L94 116 L106 116 Z" fill="#c99a7c"/>
    <path d="M80 140 Q100 130 120 140 Q100 152 80 140 Z" fill="#a4534f"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
