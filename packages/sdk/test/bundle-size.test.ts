/**
 * Size budget of the embeddable widget: dist/custos-consent.js must gzip (level 9) to at most
 * 30 KB. Builds the bundle with esbuild's JS API when it is missing or older than a source file,
 * so this never skips.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PKG_DIR, buildWidget } from '../scripts/build-browser.mjs';

const BUDGET_BYTES = 30 * 1024;
const BUNDLE = path.join(PKG_DIR, 'dist', 'custos-consent.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

describe('custos-consent.js size budget', () => {
  it('gzips to at most 30 KB', async () => {
    if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestSource(path.join(PKG_DIR, 'src'))) await buildWidget();
    const code = readFileSync(BUNDLE);
    const gzipped = gzipSync(code, { level: 9 }).length;
    console.log(
      `custos-consent.js: ${code.length} bytes, ${gzipped} bytes gzipped (${(gzipped / 1024).toFixed(1)} KB of the ${BUDGET_BYTES / 1024} KB budget)`,
    );
    // A self-contained script: no module syntax, so a plain <script src> works.
    expect(code.toString('utf8')).not.toMatch(/^\s*(import|export)\s/m);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
