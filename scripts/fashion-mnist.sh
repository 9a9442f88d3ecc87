#!/usr/bin/env bash
# Sourced by the nabla launcher and scripts/test: makes Fashion-MNIST available, installing Debian's
# dataset-fashion-mnist with apt when no folder holds the four IDX files (running apt-get update first when the
# package list does not know the package). A folder counts only when it holds all four files; an empty or partial
# folder (left by an interrupted download) does not stop the install. When apt cannot help, nothing is done here:
# Nabla then tries its checksum-verified download and otherwise says how to get the files.
nabla_fashion_files_in() { # 0 when folder $1 holds the four IDX files (gzipped or not)
  local f
  [ -n "$1" ] && [ -d "$1" ] || return 1
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -s "$1/$f.gz" ] || [ -s "$1/$f" ] || return 1
  done
}
nabla_fashion_available() {
  nabla_fashion_files_in /usr/share/datasets/fashion-mnist && return 0
  [ -n "${NABLA_DATA:-}" ] && nabla_fashion_files_in "$NABLA_DATA/fashion-mnist" && return 0
  nabla_fashion_files_in "${XDG_DATA_HOME:-$HOME/.local/share}/nabla/datasets/fashion-mnist"
}
nabla_ensure_fashion_mnist() { # never fails: the Java side reports what is still missing
  nabla_fashion_available && return 0
  command -v apt-get >/dev/null || return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then command -v sudo >/dev/null || return 0; sudo="sudo -n"; fi
  echo "nabla: installing Fashion-MNIST from Debian (apt-get install dataset-fashion-mnist)..." >&2
  if ! apt-cache show dataset-fashion-mnist >/dev/null 2>&1; then
    echo "nabla: the package list does not know dataset-fashion-mnist; running apt-get update first..." >&2
    $sudo apt-get update -q >&2 || true
  fi
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >&2; then
    $sudo apt-get update -q >&2 || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >&2 \
      || echo "nabla: apt-get could not install dataset-fashion-mnist; Nabla will try its verified download" >&2
  fi
  return 0
}
