# Shared setup for the project's scripts: toolchain and system packages, installed when missing.
# Sourced, not run.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/riskdesk/target}"

# Installs Debian/Ubuntu packages that are not installed yet.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Makes sure cargo (Rust 1.89 or newer) is available.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "Rust is not installed; installing it with rustup (https://rustup.rs)." >&2
    ensure_packages curl ca-certificates
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# Everything needed to build the engine and the CLI.
ensure_build_tools() {
  ensure_packages build-essential pkg-config libssl-dev python3
  ensure_rust
}

# System packages to build the desktop app: WebKitGTK and friends.
ensure_app_packages() {
  ensure_packages libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev libdbus-1-dev file
}

# What the end-to-end test needs on top: a virtual display (Xvfb, with xauth for xvfb-run),
# WebKit's WebDriver, a GTK drag source (python3-gi) moved by xdotool for a real drop,
# xwininfo (x11-utils) to find the popup of a <select> the test picks from with the mouse, and
# ImageMagick's import to photograph the window after its web process was killed.
ensure_e2e_packages() {
  ensure_packages xvfb xauth webkit2gtk-driver python3-gi gir1.2-gtk-3.0 xdotool x11-utils imagemagick
}

# Makes sure node and npm (Node 18 or newer, for `node --test` and esbuild) are available.
ensure_node() {
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 18 ]; then
    echo "Node $(node --version) is too old: the UI needs Node 18 or newer." >&2
    return 1
  fi
}

# Installs tauri-driver 2 (the WebDriver server in front of WebKitWebDriver) once, into
# ~/.cache/riskdesk/tools/bin, compiled in its own target folder so that the project's stays
# untouched; exports TAURI_DRIVER for the end-to-end test.
ensure_tauri_driver() {
  local root="$HOME/.cache/riskdesk/tools"
  if [ ! -x "$root/bin/tauri-driver" ]; then
    echo "Installing tauri-driver into $root (about 30 s)." >&2
    CARGO_TARGET_DIR="$root/target" cargo install tauri-driver --locked --quiet --version '^2' --root "$root"
  fi
  export TAURI_DRIVER="$root/bin/tauri-driver"
}

# Installs the Tauri command line (`cargo tauri`, pinned at 2.11.5: the bundler of Tauri 2 that
# writes .deb and .rpm packages and the icon set) once, into ~/.cache/riskdesk/tools/bin, in its
# own target folder; exports TAURI_CLI.
ensure_tauri_cli() {
  local root="$HOME/.cache/riskdesk/tools" version=2.11.5
  if ! "$root/bin/cargo-tauri" --version 2>/dev/null | grep -qx "tauri-cli $version"; then
    echo "Installing tauri-cli $version into $root (about 10 minutes on 2 cores, once)." >&2
    CARGO_TARGET_DIR="$root/target" cargo install tauri-cli --locked --quiet --version "=$version" --root "$root"
  fi
  export TAURI_CLI="$root/bin/cargo-tauri"
}

# What building and checking the packages needs: rpm (rpmbuild's tools, `rpm -qlp`) and
# desktop-file-validate.
ensure_package_tools() {
  ensure_packages rpm desktop-file-utils
}

# Installs the Python peers the risk models are checked against (statsmodels, NumPy, SciPy,
# polars, toraniko), pinned, into a venv under ~/.cache/riskdesk (once); exports its python.
ensure_peer_venv() {
  local venv="$HOME/.cache/riskdesk/peer-venv"
  if ! "$venv/bin/python" -c 'import statsmodels, numpy, scipy, polars, toraniko' 2>/dev/null; then
    echo "Installing the Python peers into $venv." >&2
    command -v python3 >/dev/null 2>&1 || ensure_packages python3
    python3 -m venv "$venv" 2>/dev/null || { ensure_packages python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      statsmodels==0.15.0 numpy==1.26.4 scipy==1.17.1 polars==1.44.2 toraniko==1.1.1
  fi
  export RISKDESK_PEER_PYTHON="$venv/bin/python"
}

# Installs the platform's official Python client, pinned, at 0.5.0 and 0.24.2, into venvs under
# ~/.cache/riskdesk (once); exports the two pythons for the conformance tests that drive them.
ensure_client_venv() {
  # The official client at the seed notebook's version (0.5.0) and at the current one.
  local version venv
  for version in 0.5.0 0.24.2; do
    venv="$HOME/.cache/riskdesk/client-venv-$version"
    if ! "$venv/bin/python" -c 'import bayesline.apiclient, polars, tqdm' 2>/dev/null; then
      echo "Installing bayesline-apiclient $version into $venv." >&2
      command -v python3 >/dev/null 2>&1 || ensure_packages python3
      python3 -m venv "$venv" 2>/dev/null || { ensure_packages python3-venv; rm -rf "$venv"; python3 -m venv "$venv"; }
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "bayesline-apiclient==$version" "bayesline-api==$version" polars tqdm
    fi
  done
  export RISKDESK_CLIENT_PYTHON="$HOME/.cache/riskdesk/client-venv-0.24.2/bin/python"
  export RISKDESK_CLIENT_050_PYTHON="$HOME/.cache/riskdesk/client-venv-0.5.0/bin/python"
}

