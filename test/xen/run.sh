#!/usr/bin/env bash
# npm run test:xen: build on the host, boot the real Xen 4.17 dom0 of the xen-vm kit, and run
# there the backend contract suite against the native backend, xgt smoke, and the scenario
# scripts on both backends. JavaScript runs ~15x slower in that VM, so nothing is built there.
# The VM sees the host's files live: it runs a snapshot of the build, so that work on the tree
# during the run cannot change what is being tested.
set -euo pipefail
cd "$(dirname "$0")/../.."
KIT=${XENVM_KIT:-$(cd .. && pwd)/shared/xen-vm}
if [ ! -x "$KIT/run-in-dom0.sh" ]; then
  echo "test:xen: FAILED - the xen-vm kit is not at $KIT (set XENVM_KIT)" >&2
  exit 1
fi
npm run -s prepare-cli
npm run -s build:native >/dev/null
snap=$(mktemp -d /tmp/xgt-xen-XXXXXX)
trap 'rm -rf "$snap"' EXIT
cp -r bin bench dist src test package.json oclif.manifest.json jest.config.js tsconfig.json "$snap/"
ln -s "$PWD/node_modules" "$snap/node_modules"
cd "$snap"
# warm jest's transform cache on the host, so dom0 only runs the tests
node --experimental-vm-modules node_modules/jest/bin/jest.js --testPathIgnorePatterns=/node_modules/ --listTests >/dev/null
export XENVM_TIMEOUT=${XENVM_TIMEOUT:-1500}
"$KIT/run-in-dom0.sh" 'bash test/xen/in-dom0.sh'
