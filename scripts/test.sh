#!/usr/bin/env bash
# The one command that passes the tests on a fresh machine: installs npm packages, the Neo4j jars, Chromium and
# poppler-utils (Debian packages) when missing, then `npm test` (typecheck, unit tests, integration and browser tests on a real Neo4j).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install.sh
install_node_modules
install_chromium
install_poppler
npm run --silent neo4j:install
mkdir -p test-results
status=0
npm test -- --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
# One plain closing line with the counts, whatever reporter the reader understands.
if [ -f test-results/vitest.json ]; then
  node -e 'const r=require("./test-results/vitest.json");const failed=Math.max(r.numFailedTests,r.numFailedTestSuites);console.log(`Tests: ${r.numPassedTests} passed, ${failed} failed`+(r.numPendingTests?`, ${r.numPendingTests} skipped`:""))'
fi
exit $status
