#!/usr/bin/env bash
# Benchmarks a compose-sized pungo compose (see bench/compose/main.go): a
# synthetic Fedora-sized package set for x86_64 and aarch64, 3 variants,
# init, pkgset, gather (with linking), extra files and the metadata; not
# createrepo, repoclosure and the image phases (the synthetic packages are
# empty placeholder files). Prints each phase's wall and CPU time and the
# pungo gather preview's time. Generated data is kept in bench/out/compose/ between runs.
# Usage: bench/compose.sh [-binary N] [-source N]
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/compose "$@"
