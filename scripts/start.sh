#!/usr/bin/env bash
# The one command that runs the service on a fresh machine: installs npm packages and the Neo4j jars when missing,
# then `npm start` (embedded Neo4j unless NEO4J_URI is set, demo data when empty, a first segmentation run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install.sh
install_node_modules
npm run --silent neo4j:install
exec npm start
