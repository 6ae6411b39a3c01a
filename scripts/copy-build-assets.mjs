// Copies the non-TypeScript files the compiled service reads at run time into dist/, next to the
// modules that load them by path relative to their own URL.
import { cpSync } from 'node:fs';

const assets = [
  ['src/admin/console', 'dist/src/admin/console'],
  ['src/judgement/scope-model.json', 'dist/src/judgement/scope-model.json'],
  ['src/conversation/understanding/corpus', 'dist/src/conversation/understanding/corpus'],
  ['config', 'dist/config'],
];
for (const [from, to] of assets) cpSync(from, to, { recursive: true });
console.log(`copied ${assets.length} build assets into dist/`);
