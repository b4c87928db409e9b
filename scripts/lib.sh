# Shared by the scripts in this folder: where the two test environments live and how to run in them.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CALL_BRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/call-bridge}"
# A Debian sid tree gives Python 3.14 on machines that lack it (see README, "Development").
SID_ROOT="$CACHE_DIR/sid-py314"
MIN_VENV="$CACHE_DIR/venv-ha-min"
LATEST_VENV_HOST="$CACHE_DIR/venv-ha-latest"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The "latest" environment needs Python >= 3.14.2: a python3.14 on PATH if there is one, else the sid tree.
latest_mode() {
  if [ -n "${CALL_BRIDGE_FORCE_SID:-}" ]; then echo sid; return; fi
  if command -v python3.14 >/dev/null 2>&1 \
    && python3.14 -c 'import sys; sys.exit(sys.version_info < (3, 14, 2))' 2>/dev/null; then
    echo host
  else
    echo sid
  fi
}

find_python313() {
  local candidate
  # pyenv's shim is on PATH even when 3.13 is not the selected version, so each candidate must actually run.
  for candidate in "$(command -v python3.13 || true)" "$HOME"/.pyenv/versions/3.13*/bin/python3.13; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  return 1
}

# run_latest CMD...: run a shell command line in the repository with the latest environment's venv first on PATH.
run_latest() {
  if [ "$(latest_mode)" = host ]; then
    (cd "$REPO_ROOT" && PATH="$LATEST_VENV_HOST/bin:$PATH" bash -c "$*")
  else
    run_in_sid "$*"
  fi
}

# The mounts live in a private mount namespace, so they vanish with the command even when it is killed:
# the tree is never left with /dev or /proc bound into it.
run_in_sid() {
  local command_line="$1"
  [ -x "$SID_ROOT/usr/bin/python3.14" ] || die "no Python 3.14 tree at $SID_ROOT: run scripts/setup first"
  mkdir -p "$SID_ROOT/project"
  unshare --mount --propagation private -- bash -c '
    set -e
    root="$1"; repo="$2"; shift 2
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount --bind "$repo" "$root/project"
    # The host resolver and CA bundle: package registries may be reached through an intercepting proxy.
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
    exec chroot "$root" /usr/bin/env -i \
      PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
      CI="${CI:-}" PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CALL_BRIDGE_IN_SID=1 \
      PIP_CERT=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
      bash -c "cd /project && $1"
  ' _ "$SID_ROOT" "$REPO_ROOT" "$command_line"
}
