/**
 * Trains the scope model on the whole training corpus (src/judgement/corpus/scope.jsonl; never the frozen
 * test split) and writes src/judgement/scope-model.json.  Usage: npx tsx scripts/train-scope.ts
 */
import { writeFileSync } from 'node:fs';
import { readScopeCorpus } from '../src/judgement/corpus/scope-corpus.js';
import { trainScopeModel } from '../src/judgement/scope-trainer.js';

const train = readScopeCorpus();
const model = trainScopeModel(train);
const url = new URL('../src/judgement/scope-model.json', import.meta.url);
const json = JSON.stringify(model);
writeFileSync(url, json + '\n');
console.log(`trained on ${train.length} messages: ${model.trainedOn.features} features, ${(json.length / 1024).toFixed(0)} KiB`);
