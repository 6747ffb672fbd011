#!/bin/sh
# deps.sh PKG... - install the Debian packages among PKG that are missing (make deps).
set -eu
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$missing; this is not a Debian system, see README.md for the packages" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# the tests start their own servers (dovecot...): the packages must not start system ones
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null && $SUDO chmod 755 $policy
	trap '$SUDO rm -f $policy' EXIT
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
