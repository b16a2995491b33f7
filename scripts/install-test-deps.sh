#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, each only when missing (safe to run again):
# - Debian's chromium: the browser tests of the HTML reports and of the speedscope export drive it
#   through Playwright, which never downloads a browser of its own;
# - node and npm, and the speedscope app pinned by tests/StatProf.Analysis.Tests/Formats/Speedscope/package-lock.json;
# - golang-go, for `go tool pprof` (the pprof export test);
# - util-linux's setpriv: a statprof attach test runs statprof as `nobody` to meet a diagnostic
#   socket it may not open (root passes file permissions);
# - GNU time (/usr/bin/time): the hostile-input tests measure the peak resident set of `statprof report`.
# - dotnet-trace, into the repository's ignored .tools/: the overhead harness's smoke test runs it
#   as the peer profiler (`dotnet-trace collect -p PID`).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=()
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
command -v go >/dev/null 2>&1 || apt_packages+=(golang-go)
command -v setpriv >/dev/null 2>&1 || apt_packages+=(util-linux)
[ -x /usr/bin/time ] || apt_packages+=(time)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "installing ${apt_packages[*]}" >&2
  sudo_if_needed apt-get update -qq >/dev/null
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

speedscope_fixture=tests/StatProf.Analysis.Tests/Formats/Speedscope
if [ ! -d "$speedscope_fixture/node_modules/speedscope" ]; then
  (cd "$speedscope_fixture" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

if [ ! -x .tools/dotnet-trace ]; then
  dotnet tool install --tool-path .tools dotnet-trace >/dev/null
fi
