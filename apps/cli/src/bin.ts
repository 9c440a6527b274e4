#!/usr/bin/env node
// The `volt` executable (dist/volt.cjs): loads dist/main.cjs with the V8 code cache the build made for it
// (see bundle-loader.ts). CommonJS on purpose: Node starts a CommonJS entry without its ES module loader.
import { join } from 'node:path';
import { type BundleLoader, loadBundle, writeCodeCaches } from './bundle-loader.js';

// VOLT_CODE_CACHE: unset = use the caches; `off` = compile from source; `report` = also say on stderr at
// exit how each bundle used its cache; `write` = write the missing or refused caches at exit (the build).
const mode = process.env['VOLT_CODE_CACHE'];
const loader: BundleLoader = { loaded: new Map(), useCodeCache: mode !== 'off' };
if (mode === 'write') process.on('exit', () => writeCodeCaches(loader));
if (mode === 'report') {
  process.on('exit', () => {
    for (const bundle of loader.loaded.values()) {
      process.stderr.write(`volt: code cache ${bundle.file}: ${bundle.codeCache}\n`);
    }
  });
}
// This file is bundled as CommonJS, where __dirname is the directory of dist/volt.cjs.
loadBundle(join(__dirname, 'main.cjs'), loader);
