#!/usr/bin/env node
// Builds the browser artefacts of @custos/sdk with esbuild (tsc builds dist/index.js and the types):
//   dist/custos-consent.js  the <custos-consent> element, one self-registering minified ES2020 script, no imports
//   dist/portal/            the self-service portal page: index.html, portal.js, portal.css (relative paths)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
};

/** Builds dist/custos-consent.js; returns its path. */
export async function buildWidget(outDir = path.join(PKG_DIR, 'dist')) {
  const outfile = path.join(outDir, 'custos-consent.js');
  await build({ ...common, entryPoints: [path.join(PKG_DIR, 'src/widget.ts')], outfile });
  return outfile;
}

/** Builds dist/portal/ (emptied first: tsc also emits the portal's modules there). Returns the folder. */
export async function buildPortal(outDir = path.join(PKG_DIR, 'dist')) {
  const dir = path.join(outDir, 'portal');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await build({ ...common, entryPoints: [path.join(PKG_DIR, 'src/portal/main.ts')], outfile: path.join(dir, 'portal.js') });
  copyFileSync(path.join(PKG_DIR, 'src/portal/index.html'), path.join(dir, 'index.html'));
  copyFileSync(path.join(PKG_DIR, 'src/portal/portal.css'), path.join(dir, 'portal.css'));
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const widget = await buildWidget();
  const portal = await buildPortal();
  console.log(`built ${path.relative(process.cwd(), widget)} and ${path.relative(process.cwd(), portal)}/`);
}
