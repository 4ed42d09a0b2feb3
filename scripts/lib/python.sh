# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by scripts/check, bench and demo: use_python TOP.
#
# A check starts qemu/vm and the scenarios' python3 helpers thousands of
# times. Through a version manager's shim (pyenv's python3 is a shell script
# that runs "pyenv exec") each start costs about 0.3 s of CPU instead of
# 0.03 s, and on a 2-core host that CPU is taken from the VMs. So this run
# finds python3 first in TOP/build/bin, a link to the interpreter itself:
# Debian's /usr/bin/python3 (scripts/deps installs it; everything here is
# stdlib), else the one python3 resolves to. MEMHP_PYTHON overrides both.
use_python() {
	local top=$1 py=${MEMHP_PYTHON:-}
	if [ -z "$py" ]; then
		py=/usr/bin/python3
		# realpath: never the link below itself (a check's bench-smoke runs
		# scripts/bench with it already first on PATH).
		[ -x "$py" ] || py=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))') ||
			return 1
	fi
	py=$(realpath "$(command -v "$py")") || return 1
	case "$py" in "$top/build/bin/"*) echo "use_python: $py is this run's own link" >&2; return 1 ;; esac
	mkdir -p "$top/build/bin"
	ln -sfn "$py" "$top/build/bin/python3"
	case ":$PATH:" in
	*":$top/build/bin:"*) ;;
	*) PATH=$top/build/bin:$PATH ;;
	esac
	export PATH
}
