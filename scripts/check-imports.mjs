#!/usr/bin/env node
// Checks that imports point downward through softac's layers and form no cycle: reads every
// import and re-export (static and dynamic) of src/**/*.ts and bench/*.ts, and prints each
// upward or sideways import and each cycle. Exit 1 if there is any. CI runs it (through
// test/architecture/imports.test.ts). The layers, lowest first (README, "Architecture"):
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYERS = [
  ['check'],
  ['kernels'],
  ['autograd'],
  ['nn'],
  ['io'],
  ['envs'],
  ['sac'],
  // Deterministic episodes, recorded and drawn: the run writes them, the CLI too.
  ['replay'],
  // The run and the student's tools both stand on the algorithm, never on each other.
  ['train', 'trace'],
  ['bench'],
  ['cli'],
  ['index.ts'],
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** 'src/sac/sac.ts' -> 'sac'; 'bench/sac.ts' -> 'bench'; 'src/index.ts' -> 'index.ts'. */
function layerOf(file) {
  const rel = relative(root, file).split(/[\\/]/);
  return rel[0] === 'bench' ? 'bench' : rel[1];
}
const rank = (layer) => LAYERS.findIndex((l) => l.includes(layer));

const sources = [...files(join(root, 'src')), ...files(join(root, 'bench'))];
const graph = new Map();
const problems = [];
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    deps.push(target);
    const from = layerOf(file), to = layerOf(target);
    if (rank(from) < 0) problems.push(`${relative(root, file)}: its folder '${from}' is not a layer (scripts/check-imports.mjs)`);
    else if (from !== to && rank(to) >= rank(from))
      problems.push(`${relative(root, file)} imports ${relative(root, target)}: '${from}' may not import '${to}' (${rank(to) === rank(from) ? 'a sibling layer' : 'a higher layer'})`);
  }
  graph.set(file, deps);
}

// Cycles, by depth-first search: an edge back to a file still on the stack closes one.
const state = new Map();
const stack = [];
const seen = new Set();
function visit(f) {
  state.set(f, 'open');
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (!graph.has(d)) continue;
    if (state.get(d) === 'open') {
      const cycle = stack.slice(stack.indexOf(d)).map((x) => relative(root, x));
      const key = [...cycle].sort().join(' ');
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(`import cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
      }
    } else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 'done');
}
for (const f of graph.keys()) if (!state.has(f)) visit(f);

for (const p of problems) console.log(p);
console.log(`${sources.length} files, ${[...graph.values()].reduce((a, d) => a + d.length, 0)} imports, ${problems.length} problems`);
process.exitCode = problems.length ? 1 : 0;
