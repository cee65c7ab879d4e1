/**
 * scripts/bundle.mjs: ESM ES2022 bundles with linked source maps, and a build error naming any
 * `node:` import that reaches a browser bundle.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error scripts/bundle.mjs is plain JavaScript without declarations
import { bundleEntry } from '../../scripts/bundle.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-pusher-bundle-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('bundles the media modules minified, with a linked source map', async () => {
  const entry = path.join(dir, 'entry.ts');
  const media = path.resolve('src/browser/media');
  fs.writeFileSync(entry, `export { H264Encoder } from '${media}/video-encoder.ts';\nexport { AacTagEncoder } from '${media}/audio-encoder.ts';\n`);
  const out = path.join(dir, 'out', 'media.js');
  await bundleEntry(entry, out);
  const code = fs.readFileSync(out, 'utf8');
  assert.ok(/export\{[^}]*as H264Encoder/.test(code), 'ESM exports');
  assert.ok(code.includes('//# sourceMappingURL=media.js.map'), 'linked source map');
  assert.ok(fs.existsSync(`${out}.map`));
  assert.ok(code.split('\n').length < 10, 'minified');
});

test('a node: import in a browser bundle is a build error naming it', async () => {
  const entry = path.join(dir, 'bad.ts');
  fs.writeFileSync(entry, `import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n`);
  await assert.rejects(bundleEntry(entry, path.join(dir, 'out', 'bad.js')), /browser bundle imports node:fs/);
});
