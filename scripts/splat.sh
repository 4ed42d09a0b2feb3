# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by scripts/check and the scenarios: what in a guest's kernel log
# counts as a splat (extended regex for grep -E).
SPLAT='WARNING:|BUG:|Oops|Call Trace|general protection fault|Kernel panic'
