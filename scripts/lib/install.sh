# Shared install steps for scripts/start.sh, scripts/test.sh and .ci/run.

install_node_modules() {
  # npm ci only when the lock file changed since the last install (or nothing is installed yet).
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}

install_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  else
    echo "The browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
}

install_poppler() {
  # pdftoppm and pdftotext: the report tests open the PDFs the service renders.
  if [ -x /usr/bin/pdftoppm ] && [ -x /usr/bin/pdftotext ]; then return; fi
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
  else
    echo "The report tests need Debian's poppler-utils (pdftoppm): sudo apt-get install -y poppler-utils" >&2
    exit 1
  fi
}
