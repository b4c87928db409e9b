# Shared by the scripts in this folder: where the environments live and how to run in them.
# shellcheck shell=bash
#
# Three Python environments, each pinned by its requirements file:
#   test    requirements_test.txt     the suite's Home Assistant (what the test plugin pins), Python 3.14
#   newest  requirements_newest.txt   the newest Home Assistant release, as users install it, Python 3.14
#   min     requirements_test_min.txt the declared minimum, Home Assistant 2025.4, Python 3.13
# Python 3.14 is the machine's python3.14 when it has one, else a Debian sid tree (see README).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CALL_BRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/call-bridge}"
SID_ROOT="$CACHE_DIR/sid-py314"
MIN_VENV="$CACHE_DIR/venv-ha-min"
# What a real hass and the browser tests need from Debian: the browser, fonts for Chinese, and the
# programs Home Assistant's default media integrations look for at start-up; and a real PBX for the
# Asterisk tests and the demo: Asterisk, its English sounds, and SIPp as a real SIP phone.
DEBIAN_PACKAGES="chromium fonts-noto-cjk ffmpeg libturbojpeg0 asterisk asterisk-core-sounds-en-gsm sip-tester"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Python 3.14 environments need Python >= 3.14.2: a python3.14 on PATH if there is one, else the sid tree.
latest_mode() {
  if [ -n "${CALL_BRIDGE_FORCE_SID:-}" ]; then echo sid; return; fi
  if command -v python3.14 >/dev/null 2>&1 \
    && python3.14 -c 'import sys; sys.exit(sys.version_info < (3, 14, 2))' 2>/dev/null; then
    echo host
  else
    echo sid
  fi
}

# venv_path ENV: where the "test" or "newest" environment lives, as seen by the commands run in it.
venv_path() {
  local suffix=""
  [ "$1" = newest ] && suffix="-newest"
  if [ "$(latest_mode)" = host ]; then echo "$CACHE_DIR/venv-ha-latest$suffix"; else echo "/opt/venv$suffix"; fi
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

# run_py314 [--exec] ENV CMD: run a shell command line in the repository, ENV's venv first on PATH.
# With --exec the script's own process becomes the command, so signals sent to the script reach it.
run_py314() {
  local exec_prefix=""
  if [ "$1" = --exec ]; then exec_prefix=exec; shift; fi
  local venv command_line="$2"
  venv=$(venv_path "$1")
  if [ "$(latest_mode)" = host ]; then
    cd "$REPO_ROOT" || return
    $exec_prefix env PATH="$venv/bin:$PATH" bash -c "$command_line"
  else
    run_in_sid ${exec_prefix:+--exec} "PATH=$venv/bin:\$PATH; $command_line"
  fi
}

# The suite's environment, for ruff, pytest and the benchmarks.
run_latest() { run_py314 test "$*"; }

# The mounts live in a private mount namespace, so they vanish with the command even when it is killed:
# the tree is never left with /dev or /proc bound into it. unshare, chroot, env and bash's last command
# all replace themselves, so the command keeps the caller's process.
run_in_sid() {
  local exec_prefix=""
  if [ "$1" = --exec ]; then exec_prefix=exec; shift; fi
  local command_line="$1"
  [ -x "$SID_ROOT/usr/bin/python3.14" ] || die "no Python 3.14 tree at $SID_ROOT: run scripts/setup first"
  mkdir -p "$SID_ROOT/project"
  $exec_prefix unshare --mount --propagation private -- bash -c '
    set -e
    root="$1"; repo="$2"; shift 2
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount --bind "$repo" "$root/project"
    # The host resolver and CA bundle: package registries may be reached through an intercepting proxy.
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
    exec chroot "$root" /usr/bin/env -i \
      PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
      TERM="${TERM:-dumb}" CI="${CI:-}" PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
      CALL_BRIDGE_IN_SID=1 PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
      SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
      bash -c "cd /project && $1"
  ' _ "$SID_ROOT" "$REPO_ROOT" "$command_line"
}
