#!/usr/bin/env bash
# Time from launching Relapp to its main window on screen, on a real X server (Xvfb), the way a
# shop owner sees it: the process starts, opens a demo shop's database and maps its window.
#
#   packaging/measure-startup.sh [COMMAND...]      default: dist/relapp/relapp
#   packaging/measure-startup.sh .venv/bin/relapp  the same from a source install, to compare
#
# Needs Xvfb and xdotool (apt-get install xvfb xdotool). Makes a 3,000-customer demo shop
# in a temporary folder, launches 7 times (RUNS=N for more) and prints each time and the
# median. COLD=1 (as root) empties the page cache before each launch: the first start of the
# day after switching the PC on, rather than a restart.
set -euo pipefail
cd "$(dirname "$0")/.."
command=("$@")
[ ${#command[@]} -gt 0 ] || command=(dist/relapp/relapp)
runs=${RUNS:-7}

work=$(mktemp -d)
display=:$(( 90 + RANDOM % 100 ))
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp -noreset >/dev/null 2>&1 &
xvfb=$!
app=""
cleanup() {
    [ -n "$app" ] && kill "$app" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# Settings and the single-instance socket in the temporary folder too.
mkdir -m 700 "$work/run"
export DISPLAY=$display XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
    XDG_RUNTIME_DIR=$work/run
unset QT_QPA_PLATFORM
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done

"${command[@]}" demo --db "$work/shop.db" --contacts 3000 --seed 1 >/dev/null
# One launch first so the files are in the page cache, as on a counter PC used every day.
times=()
for run in $(seq 0 "$runs"); do
    if [ "${COLD:-0}" = 1 ]; then
        sync && echo 3 > /proc/sys/vm/drop_caches
    fi
    started=$(date +%s%N)
    "${command[@]}" --db "$work/shop.db" >"$work/app.log" 2>&1 &
    app=$!
    until xdotool search --onlyvisible --name "— Relapp" >/dev/null 2>&1; do
        sleep 0.005
        if ! kill -0 "$app" 2>/dev/null; then
            echo "measure-startup: the app exited before showing its window:" >&2
            cat "$work/app.log" >&2
            exit 1
        fi
    done
    ms=$(( ($(date +%s%N) - started) / 1000000 ))
    kill "$app"; wait "$app" 2>/dev/null || true; app=""
    [ "$run" -gt 0 ] && times+=("$ms") && echo "run $run: window up in $ms ms"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (${#times[@]} + 1) / 2 ))p")
cache=warm; [ "${COLD:-0}" = 1 ] && cache=cold
echo "measure-startup: ${command[*]}: window up in $median ms (median of $runs, $cache cache)"
