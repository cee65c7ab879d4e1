/** Makeup `blendMode` names (blend-modes.ts): the CSS names, their camelCase and snake_case spellings, a clear error otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLEND_MODES, blendModeIndex, parseBlendMode } from '../../src/browser/effects/blend-modes.js';

test('blend modes by name; normal by default', () => {
  assert.equal(parseBlendMode(undefined), 'normal');
  assert.equal(parseBlendMode(''), 'normal');
  for (const mode of BLEND_MODES) assert.equal(parseBlendMode(mode), mode);
  assert.equal(parseBlendMode('softLight'), 'soft-light');
  assert.equal(parseBlendMode('soft_light'), 'soft-light');
  assert.equal(parseBlendMode('Multiply'), 'multiply');
  assert.equal(parseBlendMode('COLOR_DODGE'), 'color-dodge');
  // The GLSL switch numbers the modes as the list does, normal first.
  assert.equal(blendModeIndex('normal'), 0);
  assert.equal(blendModeIndex('exclusion'), BLEND_MODES.length - 1);
});

test('an unknown blend mode is a TypeError listing the known ones', () => {
  for (const bad of ['luminosity', 'mul', 3, {}]) assert.throws(() => parseBlendMode(bad), /^TypeError: blendMode must be one of normal, multiply, screen, overlay, .*soft-light.*, got /);
});
