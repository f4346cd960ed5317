#!/usr/bin/env bash
# `make run`: the simulator and the dashboard on loopback, in the foreground until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
port=${PORT:-8000}
sim_port=${SIM_PORT:-8001}

port_busy() { "$py" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $1)) != 0)"; }
for p in "$port" "$sim_port"; do
    if port_busy "$p"; then
        echo "error: port $p on 127.0.0.1 is already in use; choose others, e.g. make run PORT=8100 SIM_PORT=8101" >&2
        exit 1
    fi
done

# The key that encrypts stored tokens is kept in .env so they stay readable across runs.
if ! grep -qs '^WEBLINK_TOKEN_KEYS=' .env; then
    # Its stderr holds advice on rotating keys in production: not for a first local run.
    echo "WEBLINK_TOKEN_KEYS=$("$py" manage.py generate_token_key 2>/dev/null)" >>.env
    echo "Generated a local token key into .env"
fi

export DEBUG=${DEBUG:-true}
export WEBLINK_API_URL="http://127.0.0.1:$sim_port"

"$py" manage.py migrate --noinput
# The simulator is an app only when WEBLINK_SIMULATOR is on; the dashboard runs without it.
# Its reports and tokens are kept in a git-ignored file, so demo stays connected next time.
WEBLINK_SIMULATOR=true "$py" manage.py weblink_simulator --addrport "127.0.0.1:$sim_port" \
    --state-file .weblink-simulator.json &
sim_pid=$!
web_pid=
worker_pid=
stop() {
    trap - INT TERM EXIT
    kill $sim_pid $web_pid $worker_pid 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$py" manage.py demo_account --wait 10
# The task worker runs the bulk jobs; it first resumes those a stopped worker left.
"$py" manage.py run_worker &
worker_pid=$!
"$py" manage.py runserver "127.0.0.1:$port" &
web_pid=$!
# Say where to go once the dashboard answers, so it is the last thing on the screen.
for _ in $(seq 100); do port_busy "$port" && break; sleep 0.1; done
echo
echo "  Dashboard:         http://127.0.0.1:$port"
echo "                     sign in to the dashboard as demo / demo (already connected)"
echo "  Weblink simulator: http://127.0.0.1:$sim_port"
echo "                     its company is demo; sign in on the Connection page as admin / demo"
echo "                     and a second company, hamnen: admin / hamnen"
echo "  Task worker:       runs bulk jobs (manage.py run_worker)"
echo "  Press Ctrl-C to stop them all."
echo
# Only the dashboard ending ends the run: a simulator that stops shows as an outage.
wait $web_pid
