#!/usr/bin/env bash
# Runs inside the real dom0 (see run.sh): the native contract suite, smoke, and the scenarios.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
step() { echo "== $1"; shift; "$@" || { echo "== FAILED: $*"; status=1; }; }
# the contract suite first: it expects a kernel whose grant refs were never handed out (8 up)
step "contract suite, native backend" node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand \
  --testPathIgnorePatterns=/node_modules/ --testTimeout=300000 test/native/contract
step "xgt smoke --backend native (peer: a domu HVM guest)" bash -c 'P=$(domu create --hvm --mem 16); node bin/run.js smoke --backend native --peer "$P"; r=$?; domu destroy "$P" >/dev/null; exit $r'
step "scenarios on both backends" bash test/scenarios/compare.sh
step "inspecting the host and copying through grants, by the CLI" bash test/xen/inspect.sh
step "capture, trace natively, replay on the capture" bash test/xen/capture.sh
step "an emulator trace replays on the emulator" env XGT_BACKEND=emu node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand \
  --testTimeout=300000 test/cli/replay.test.ts
step "a reused port and a killed wait, natively" bash test/xen/wait-ends.sh native
step "a reused port and a killed wait, on the emulator" bash test/xen/wait-ends.sh emu
step "a native batch prints what its lines print run one process each" bash test/xen/batch-in-agent.sh
step "differential: random sequences on the real host and the emulator, every step compared" \
  node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand --testPathIgnorePatterns=/node_modules/ \
  --testTimeout=600000 test/native/differential
# the native benchmark must keep running (its figure is no test): a quick round, run by the agent
step "native benchmark, quick" bash -c 'out=$(N=200 R=1 WARM=1 bash bench/native.sh) && echo "$out" | tail -2 && echo "$out" | grep -Eq "^RESULT c=[0-9]+ xgt=[1-9]"'
exit $status
