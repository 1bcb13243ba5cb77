#!/usr/bin/env bash
# Runs every pungo benchmark against its peers in one go and prints each
# script's table of times and ratios:
#   load.sh        loading a 70,000-package repository: pungo vs libsolv
#   createrepo.sh  pungo createrepo vs createrepo_c (2,000 tiny, 100×5 MB, --update)
#   gather.sh      gather of 3,000 names vs libsolv's solve; repoclosure vs dnf
#   compose.sh     per-phase times of a compose-sized run
# Generated inputs live in bench/out/ (gitignored) and are reused.
# Usage: bench/run.sh [load|createrepo|gather|compose]...  (default: all)
set -euo pipefail
cd "$(dirname "$0")"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(load createrepo gather compose)
for p in "${parts[@]}"; do
	echo "=================== $p ==================="
	bash "./$p.sh"
done
