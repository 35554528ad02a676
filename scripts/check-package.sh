#!/usr/bin/env bash
# What a user of the published package gets: packs softac (npm pack builds the prebuilds),
# installs the tarball into a new project with `npm install --ignore-scripts` and with only
# node and npm on PATH (no compiler, no CMake, no make), and checks that `softac info`
# reports the native backend from the prebuild, that a short trainInWorker run, Policy.load
# and act() work, that a strict TypeScript project compiles against the installed types;
# that with this platform's prebuild removed softac falls back to WebAssembly, says why,
# and passes the same run; and that with the module removed too it falls back to the
# TypeScript reference and says why. Ends with "N passed, N failed". Needs the TypeScript
# built.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
passed=0
failed=0

# check NAME COMMAND...: runs it in the consumer project; its output is shown on failure.
check() {
  local name=$1; shift
  if (cd "$tmp/app" && "$@") >"$tmp/out.txt" 2>&1; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    echo "FAIL $name"; sed 's/^/     /' "$tmp/out.txt"; failed=$((failed + 1))
  fi
}
finish() { echo "$passed passed, $failed failed"; rm -rf "$tmp"; [[ $failed -eq 0 ]]; exit; }

npm pack --pack-destination "$tmp" --json >"$tmp/pack.json" 2>"$tmp/pack.log" \
  || { tail -20 "$tmp/pack.log"; echo "npm pack failed"; failed=1; finish; }
tarball=$tmp/$(node -p "require('$tmp/pack.json')[0].filename")
node -p "const j = require('$tmp/pack.json')[0];
  \`\${j.filename}: \${j.size} bytes packed, \${j.unpackedSize} unpacked, \${j.entryCount} files\`"

# Only node, npm, npx and sh (npx runs bins through it) on PATH: nothing could compile.
mkdir -p "$tmp/bin" "$tmp/app"
for t in node npm npx sh; do ln -s "$(command -v $t)" "$tmp/bin/$t"; done
(cd "$tmp/app" && echo '{ "name": "app", "private": true, "type": "module" }' >package.json \
  && PATH=$tmp/bin npm install --ignore-scripts --no-audit --no-fund "$tarball" >"$tmp/install.log" 2>&1) \
  || { tail -20 "$tmp/install.log"; echo "npm install of the tarball failed"; failed=1; finish; }
pkg=$tmp/app/node_modules/softac
tag=$(node -p 'process.platform + "-" + process.arch')

# info_says LINE...: `npx softac info`, with node and npm only on PATH, prints each LINE whole.
info_says() {
  local out
  out=$(PATH=$tmp/bin npx softac info 2>&1)
  echo "$out"
  for line in "$@"; do grep -qxF -- "$line" <<<"$out" || { echo "missing: $line"; return 1; }; done
}

check "the tarball holds both prebuilds and the wasm module, no tests and no local build" \
  test -f "$pkg/prebuilds/linux-x64/softac.node" -a -f "$pkg/prebuilds/linux-arm64/softac.node" \
    -a -f "$pkg/wasm/softac.wasm" -a ! -e "$pkg/dist/test" -a ! -e "$pkg/test" -a ! -e "$pkg/build"

# newest_at_most PREFIX MAX FILE...: no FILE needs a symbol version PREFIX_x newer than MAX.
newest_at_most() {
  local prefix=$1 max=$2 f newest; shift 2
  for f in "$@"; do
    newest=$(objdump -T "$f" | grep -oE "\(${prefix}_[0-9.]+\)" | tr -d '()' | sort -V | tail -1)
    echo "${f#"$pkg"/}: $newest"
    [[ $(printf '%s\n' "$newest" "$max" | sort -V | tail -1) == "$max" ]] || return 1
  done
}
prebuilds=("$pkg/prebuilds/linux-x64/softac.node" "$pkg/prebuilds/linux-arm64/softac.node")
check "the prebuilds need glibc 2.17 at most" newest_at_most GLIBC GLIBC_2.17 "${prebuilds[@]}"
check "the prebuilds need libstdc++ of GCC 6 at most" newest_at_most GLIBCXX GLIBCXX_3.4.22 "${prebuilds[@]}"

# What npm would run without --ignore-scripts: with a prebuild here it must not compile.
check "the install script exits 0 at once, building nothing" \
  bash -c "cd '$pkg' && timeout 10 env PATH='$tmp/bin' node scripts/build-native.mjs && test ! -e build \
    && timeout 10 env PATH='$tmp/bin' node scripts/build-wasm.mjs && test ! -e build-wasm"

check "softac info: the native backend, from prebuilds/$tag" \
  info_says 'backend: native' "native addon: prebuilds/$tag/softac.node (prebuild)"

cat >"$tmp/app/smoke.mjs" <<'EOF'
// A short run in a worker, then a saved model loaded as a Policy, on the backend $EXPECT.
import { getKernels, Pendulum, Policy, train, trainInWorker } from 'softac';

if (getKernels().backend !== process.env.EXPECT) throw new Error(`backend is ${getKernels().backend}, expected ${process.env.EXPECT}`);
const options = { epochs: 1, stepsPerEpoch: 200, startSteps: 100, updateAfter: 100, updateEvery: 50,
  batchSize: 32, numTestEpisodes: 1, maxEpLen: 50, hidden: [16, 16] };
const run = await trainInWorker({ env: 'Pendulum-v1', seed: 0, out: null, options });
const summary = await run.done;
const a = run.policy.act([1, 0, 0]);
if (a.length !== 1 || !Number.isFinite(a[0])) throw new Error(`worker policy act: ${a}`);

const { agent } = train({ k: getKernels(), makeEnv: () => new Pendulum(), envName: 'Pendulum-v1', seed: 0, options });
agent.saveModel('model.safetensors');
const policy = Policy.load('model.safetensors', { bounds: new Pendulum().actionSpace });
const b = policy.act([1, 0, 0]);
if (b.length !== 1 || !(Math.abs(b[0]) <= 2)) throw new Error(`Policy.load act: ${b}`);
console.log(`trained ${summary.steps} steps in a worker; Policy.load act: ${b[0]}`);
EOF
check "trainInWorker, Policy.load and act() on the prebuild" env EXPECT=native timeout 300 node smoke.mjs

cat >"$tmp/app/consumer.ts" <<'EOF'
import { Policy, trainInWorker } from 'softac';
import type { TrainSummary } from 'softac';

export async function serve(model: string): Promise<Float32Array> {
  const run = await trainInWorker({ env: 'Pendulum-v1', out: null, options: { epochs: 1 } });
  const summary: TrainSummary = await run.done;
  console.log(summary.steps);
  return Policy.load(model).act([1, 0, 0]);
}
EOF
# skipLibCheck, as `tsc --init` sets it: the mujoco package's own .d.ts names a type
# (Arguments) that no lib declares.
cat >"$tmp/app/tsconfig.json" <<EOF
{ "compilerOptions": { "strict": true, "module": "NodeNext", "moduleResolution": "NodeNext",
    "target": "ES2022", "noEmit": true, "skipLibCheck": true, "typeRoots": ["$root/node_modules/@types"], "types": ["node"] },
  "files": ["consumer.ts"] }
EOF
check "a strict TypeScript project compiles against the installed types" \
  node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json

rm -r "$pkg/prebuilds/$tag"
check "without prebuilds/$tag: WebAssembly, and why not the addon" \
  info_says 'backend: wasm' 'native addon: none' "  skipped prebuild: none for $tag" \
    '  skipped local build: no build/Release/softac.node (`npm run build:native` makes one)' \
    'WebAssembly: wasm/softac.wasm'
check "trainInWorker, Policy.load and act() on WebAssembly" env EXPECT=wasm timeout 300 node smoke.mjs

rm "$pkg/wasm/softac.wasm"
check "without the wasm module either: the TypeScript reference, and why" \
  info_says 'backend: js' 'native addon: none' "  skipped prebuild: none for $tag" 'WebAssembly: none' \
    '  skipped no wasm/softac.wasm (`npm run build:wasm` makes one; it needs clang-14, lld-14, wasi-libc and libclang-rt-14-dev-wasm32)'

finish
