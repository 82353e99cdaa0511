#!/usr/bin/env bash
# What `lameduck drill` and its tests need beyond Node, from Debian's packages:
#
#   scripts/ensure-drill-tools.sh kernel    iproute2, iptables, conntrack (the drill's --network kernel)
#   scripts/ensure-drill-tools.sh chromium  chromium (the report's test in a headless browser)
#   scripts/ensure-drill-tools.sh nginx     nginx, libnginx-mod-http-lua (the drill's --ingress nginx)
#   scripts/ensure-drill-tools.sh all       all three
#
# `pnpm test` runs `all` before the CLI's tests (packages/cli/test/drill-tools-setup.ts).
# Installs only what is missing; does nothing when everything is there. Needs root (or
# password-less sudo) and apt-get to install; says so in one line and exits 1 otherwise.
set -euo pipefail

die() {
  echo "ensure-drill-tools.sh: $*" >&2
  exit 1
}

# program:package pairs; a package is installed when its program is missing (a program that is
# an absolute path is a file: the Lua module has no program of its own). Debian's policy-rc.d or
# none: the drill starts its own nginx, never the system's service.
kernel=(ip:iproute2 iptables:iptables iptables-restore:iptables conntrack:conntrack)
chromium=(chromium:chromium)
nginx=(nginx:nginx /usr/share/nginx/modules/ngx_http_lua_module.so:libnginx-mod-http-lua)

case "${1:-all}" in
kernel) wanted=("${kernel[@]}") ;;
chromium) wanted=("${chromium[@]}") ;;
nginx) wanted=("${nginx[@]}") ;;
all) wanted=("${kernel[@]}" "${chromium[@]}" "${nginx[@]}") ;;
*) die "usage: scripts/ensure-drill-tools.sh kernel | chromium | nginx | all" ;;
esac

found() {
  [[ $1 == /* ]] && { [[ -e $1 ]]; return; }
  command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" || -x "/sbin/$1" || -x "/usr/bin/$1" ]]
}

missing=()
for pair in "${wanted[@]}"; do
  program=${pair%%:*}
  package=${pair#*:}
  if ! found "$program" && [[ " ${missing[*]} " != *" $package "* ]]; then missing+=("$package"); fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "ensure-drill-tools.sh: ${1:-all}: everything is installed"
  exit 0
fi

sudo=()
if [[ $EUID -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || die "${missing[*]} missing, and installing needs root (or password-less sudo)"
  sudo=(sudo -n)
fi
command -v apt-get >/dev/null 2>&1 || die "${missing[*]} missing, and there is no apt-get to install them with"
echo "ensure-drill-tools.sh: installing ${missing[*]} (apt-get)"
started=$SECONDS
# Short network timeouts: an unreachable mirror should fail in seconds, not stall CI.
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -o Acquire::Retries=2 -o DPkg::Lock::Timeout=300)
"${apt[@]}" update -qq || die "apt-get update failed"
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
echo "ensure-drill-tools.sh: installed ${missing[*]} in $((SECONDS - started)) s"
