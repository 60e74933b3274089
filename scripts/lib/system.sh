# shellcheck shell=bash
# Machine set-up helpers shared by scripts/test and scripts/demo. Source this file; it
# defines functions only (no side effects besides YIPIN_ROOT):
#
#   ensure_debian_packages PKG...   apt-get install the packages not yet installed
#   ensure_venv [EXTRAS]            .venv with python3.11 and `pip install -e .[EXTRAS]`,
#                                   skipped while pyproject.toml's sha256 matches the stamp
#
# Both are idempotent and cheap when there is nothing to do.

YIPIN_ROOT="${YIPIN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

yipin_log() {
    printf '[%s] %s\n' "${YIPIN_LOG_TAG:-setup}" "$*" >&2
}

# ensure_debian_packages PKG... : install (as root, or through sudo -n) whichever of PKG are
# missing; `apt-get update` runs only when something has to be installed.
ensure_debian_packages() {
    local pkg status
    local -a missing=() sudo=()
    for pkg in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        [ "$status" = "install ok installed" ] || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        yipin_log "missing packages ${missing[*]} and no apt-get to install them"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            yipin_log "missing packages ${missing[*]}; run as root or install them"
            return 1
        fi
        sudo=(sudo -n)
    fi
    yipin_log "installing Debian packages: ${missing[*]}"
    local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive
        apt-get -q -o DPkg::Lock::Timeout=900 -o Dpkg::Options::=--force-confdef
        -o Dpkg::Options::=--force-confold)
    "${apt[@]}" update >&2
    "${apt[@]}" install -y "${missing[@]}" >&2
}

# yipin_python311 : print the path of a Python 3.11 interpreter.
yipin_python311() {
    local candidate
    for candidate in "$(command -v python3.11 2>/dev/null || true)" \
        "${PYENV_ROOT:-$HOME/.pyenv}/shims/python3.11" \
        /root/.pyenv/shims/python3.11 \
        /usr/local/bin/python3.11 /usr/bin/python3.11; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] &&
            "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))' \
                >/dev/null 2>&1; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    yipin_log "no Python 3.11 found (python3.11 in PATH, pyenv, /usr/bin)"
    return 1
}

# ensure_venv [EXTRAS] : $YIPIN_ROOT/.venv on Python 3.11 with the project installed editable
# (`-e .` or `-e .[EXTRAS]`). The pip step is skipped while the stamp in .venv/ holds the
# sha256 of pyproject.toml (one stamp per EXTRAS).
ensure_venv() {
    local extras="${1:-}" spec="." venv="$YIPIN_ROOT/.venv" python want stamp
    [ -n "$extras" ] && spec=".[$extras]"
    if [ ! -x "$venv/bin/python" ] ||
        ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
            >/dev/null 2>&1; then
        python="$(yipin_python311)" || return 1
        yipin_log "creating .venv with $python"
        rm -rf "$venv"
        "$python" -m venv "$venv"
    fi
    want="$(sha256sum "$YIPIN_ROOT/pyproject.toml" | cut -d' ' -f1)"
    stamp="$venv/.yipin-pip-stamp${extras:+-$extras}"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    yipin_log "pip install -e '$spec' (pyproject.toml changed or first run)"
    (
        cd "$YIPIN_ROOT" &&
            PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
                "$venv/bin/python" -m pip install -q -e "$spec"
    ) || return 1
    printf '%s\n' "$want" >"$stamp"
}
