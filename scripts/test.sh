#!/usr/bin/env bash
# The one command that passes the tests on a fresh machine: installs npm packages, the Neo4j jars and Chromium
# (Debian package) when missing, then `npm test` (typecheck, unit tests, integration and browser tests on a real Neo4j).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install.sh
install_node_modules
install_chromium
npm run --silent neo4j:install
exec npm test
