#!/usr/bin/env bash
# Runtime end-to-end proof of harden's output.
#
#   run.sh HARDEN_BINARY      harden every stack with `HARDEN_BINARY --write compose.yml`
#   run.sh --use-expected     use the hand-written expected-hardened/ files instead
# Options:
#   --only STACK              run one stack (repeatable)
#   --no-negative             skip the negative controls
#   --ablate                  also remove every cap_add and tmpfs item of every service,
#                             one at a time, and report whether the service still works
#                             (INFO lines, not counted)
#   --keep                    keep the work folder (copies, logs) even on success
#
# For each stack in stacks/: copy it to a temp folder, harden it, bring it up with
# docker-compose, check with docker inspect that the hardening is in effect, run
# its probes, then bring up variants with one inferred item removed (negative
# controls) and require each to fail. One line per check; the last line is
# "N passed, M failed". Exit 1 on any failure, 2 on a usage or setup error.
# No engine: "SKIPPED: ..." and exit 77 (exit 1 with HARDEN_E2E_REQUIRED=1).
#
# Environment: HARDEN_E2E_TIMEOUT      s per probe step (default 90)
#              HARDEN_E2E_NEG_TIMEOUT  s per probe step in negative controls (default 20)
#              HARDEN_E2E_JOBS         negative controls run in parallel per stack (default 3);
#                                      the stacks themselves run concurrently
set -uo pipefail
# shellcheck source=lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 2; }

HARDEN=""
USE_EXPECTED=0
NEGATIVE=1
ABLATE=0
KEEP=0
ONLY=()
while [ $# -gt 0 ]; do
	case "$1" in
		--use-expected) USE_EXPECTED=1 ;;
		--only) shift; ONLY+=("${1:?--only needs a stack name}") ;;
		--no-negative) NEGATIVE=0 ;;
		--ablate) ABLATE=1 ;;
		--keep) KEEP=1 ;;
		-h | --help) usage ;;
		-*) echo "unknown option: $1" >&2; usage ;;
		*) [ -z "$HARDEN" ] || usage; HARDEN="$1" ;;
	esac
	shift
done
if [ "$USE_EXPECTED" = 1 ] && [ -n "$HARDEN" ]; then usage; fi
if [ "$USE_EXPECTED" = 0 ] && [ -z "$HARDEN" ]; then usage; fi
if [ -n "$HARDEN" ]; then
	case "$HARDEN" in /*) ;; *) HARDEN="$PWD/$HARDEN" ;; esac
	[ -x "$HARDEN" ] || e2e_die "harden binary not found or not executable: $HARDEN"
fi

POS_TIMEOUT="${HARDEN_E2E_TIMEOUT:-90}"
NEG_TIMEOUT="${HARDEN_E2E_NEG_TIMEOUT:-20}"
JOBS="${HARDEN_E2E_JOBS:-3}"

# ------------------------------------------------------------------ preconditions
command -v docker >/dev/null 2>&1 || e2e_skip "no docker CLI (run tests/e2e/setup.sh first)"
e2e_engine_ok || e2e_skip "no Docker engine answers (run tests/e2e/setup.sh first; it starts one)"
e2e_have_compose || e2e_skip "neither docker-compose nor the compose plugin is installed"
PY="$(e2e_python)" || e2e_die "need python3 with the yaml module (Debian: python3-yaml)"
for img in $E2E_IMAGES; do
	docker image inspect "$img:e2e" >/dev/null 2>&1 || e2e_die "image $img:e2e missing: run tests/e2e/setup.sh"
done
docker image inspect "$E2E_PROBE_IMAGE" >/dev/null 2>&1 || e2e_die "image $E2E_PROBE_IMAGE missing: run tests/e2e/setup.sh"

# The introspect stack needs the images' evidence: harden reads them from this
# engine (the hermetic test suites turn that off with HARDEN_NO_ENGINE=1).
unset HARDEN_NO_ENGINE
e2e_remove_leftovers
T_START=$(e2e_now)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/harden-e2e-run.XXXXXX")"
LOGS="$WORK/logs"
mkdir -p "$LOGS"
FAILED=0

cleanup() {
	e2e_remove_leftovers
	if [ "$FAILED" = 0 ] && [ "$KEEP" = 0 ]; then
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

helper() { "$PY" "$E2E_DIR/lib/e2e_helper.py" "$@"; }

# result PASS|FAIL WHAT DESCRIPTION (the totals are counted from these lines)
result() { printf '%s  %-24s %s\n' "$1" "$2" "$3"; }
info() { printf 'INFO  %-24s %s\n' "$1" "$2"; }

oneline() { tr '\n\t' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-"${1:-160}"; }

# Remove a project's containers (and anonymous volumes), networks, volumes and probe container.
project_down() {
	local p="$1" ids
	if [ -e "$WORK/probe-up-$p" ]; then
		docker rm -f "$p-probe" >/dev/null 2>&1 || true
		rm -f "$WORK/probe-up-$p"
	fi
	ids="$(docker ps -aq --filter "label=com.docker.compose.project=$p")"
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker rm -f -v $ids >>"$LOGS/$p.log" 2>&1
	ids="$(docker network ls -q --filter "label=com.docker.compose.project=$p")"
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker network rm $ids >>"$LOGS/$p.log" 2>&1
	ids="$(docker volume ls -q --filter "label=com.docker.compose.project=$p")"
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker volume rm -f $ids >>"$LOGS/$p.log" 2>&1
	return 0
}

container_of() {
	docker ps -aq --filter "label=com.docker.compose.project=$1" \
		--filter "label=com.docker.compose.service=$2" | head -n1
}

# The most telling line of a container's log: the last error-looking one, else the last one.
log_reason() {
	local logs line
	logs="$(docker logs --tail 60 "$1" 2>&1)"
	line="$(printf '%s\n' "$logs" | grep -E -i 'emerg|fatal|error|denied|not permitted|read-only|failed|cannot|could not' | tail -n1)"
	[ -n "$line" ] || line="$(printf '%s\n' "$logs" | tail -n1)"
	printf '%s' "$line" | oneline 200
}

# Why a container is not (or no longer) usable; empty while it is running.
container_problem() {
	local cid="$1" st
	[ -n "$cid" ] || { echo "container was never created"; return; }
	st="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' "$cid" 2>/dev/null)" ||
		{ echo "container is gone"; return; }
	# shellcheck disable=SC2086
	set -- $st
	case "$1" in
		running) [ "$3" = 0 ] || echo "container restarted $3 time(s): $(log_reason "$cid")" ;;
		created) echo "container never started" ;;
		*) echo "container $1 (exit $2): $(log_reason "$cid")" ;;
	esac
}

# The probe container (curl, redis-cli, psql) joins the project's network; it is
# started on first use, since many negative controls fail before any network probe.
ensure_probe_container() {
	local p="$1" net
	[ -e "$WORK/probe-up-$p" ] && return 0
	net="$(docker network ls -q --filter "label=com.docker.compose.project=$p" | head -n1)"
	[ -n "$net" ] || net="${p}_default"
	docker rm -f "$p-probe" >/dev/null 2>&1 || true
	docker run -d --rm --name "$p-probe" --label "$E2E_LABEL=1" --network "$net" \
		"$E2E_PROBE_IMAGE" sleep 86400 >>"$LOGS/$p.log" 2>&1 && : >"$WORK/probe-up-$p"
}

# One attempt of a probe step. Prints a short observation; status 0 if it passed.
attempt() {
	local p="$1" kind="$2" svc="$3" cid="$4"
	shift 4
	local out trimmed
	case "$kind" in
		http)
			local port="$1" path="$2"
			shift 2
			local text="$*"
			ensure_probe_container "$p"
			out="$(timeout 8 docker exec "$p-probe" curl -sS --max-time 4 -o - -w '\n[HTTP %{http_code}]' \
				"http://$svc:$port$path" 2>&1)"
			printf '%s' "$out" | tail -c 300 | oneline
			[[ "$out" == *"[HTTP 200]" ]] && [[ "$out" == *"$text"* ]]
			;;
		exec | probe)
			local expect="$1"
			shift
			local target="$cid"
			if [ "$kind" = probe ]; then
				ensure_probe_container "$p"
				target="$p-probe"
			fi
			out="$(timeout 15 docker exec "$target" sh -c "$*" 2>&1)"
			trimmed="$(printf '%s' "$out" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
			printf '%s' "$trimmed" | oneline
			[ "$trimmed" = "$expect" ]
			;;
		*) echo "unknown probe kind $kind"; return 1 ;;
	esac
}

# poll_step PROJECT TIMEOUT KIND SERVICE ARGS...: retry until it passes, the
# container dies or the timeout passes. Prints the last observation.
poll_step() {
	local p="$1" timeout="$2" kind="$3" svc="$4"
	shift 4
	local deadline=$(($(e2e_now) + timeout)) cid obs problem
	cid="$(container_of "$p" "$svc")"
	while :; do
		[ -n "$cid" ] || cid="$(container_of "$p" "$svc")"
		problem="$(container_problem "$cid")"
		if [ -n "$problem" ]; then
			echo "$problem"
			return 1
		fi
		if obs="$(attempt "$p" "$kind" "$svc" "$cid" "$@")"; then
			echo "$obs"
			return 0
		fi
		if [ "$(e2e_now)" -ge "$deadline" ]; then
			echo "timed out after ${timeout}s; last: ${obs:-no output}"
			return 1
		fi
		sleep 1
	done
}

# runs_as PROJECT SERVICE USER [PATTERN]: the main process (or every process whose
# command line contains PATTERN) runs as USER.
runs_as() {
	local p="$1" svc="$2" user="$3"
	shift 3
	local pattern="$*" cid want pid1 rows bad=0 n=0 desc="" problem pid uid args
	cid="$(container_of "$p" "$svc")"
	problem="$(container_problem "$cid")"
	[ -z "$problem" ] || { echo "$problem"; return 1; }
	want="$(docker exec "$cid" id -u "$user" 2>/dev/null)" || { echo "no user $user in the container"; return 1; }
	pid1="$(docker inspect -f '{{.State.Pid}}' "$cid")"
	rows="$(docker top "$cid" -eo pid,uid,args 2>/dev/null | tail -n +2)"
	while read -r pid uid args; do
		[ -n "$pid" ] || continue
		if [ -n "$pattern" ]; then
			[[ "$args" == *"$pattern"* ]] || continue
		else
			[ "$pid" = "$pid1" ] || continue
		fi
		n=$((n + 1))
		[ "$uid" = "$want" ] || bad=$((bad + 1))
		desc="${desc:+$desc; }uid $uid: $(printf '%s' "$args" | cut -c1-40)"
	done <<<"$rows"
	if [ -z "$pattern" ]; then
		desc="$desc; CapEff $(docker exec "$cid" cat /proc/1/status 2>/dev/null | awk '/^CapEff:/ {print $2}')"
	fi
	echo "$user is uid $want; $n process(es): ${desc:-none}"
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}

# Read a probes file into PROBE_LINES (comments and blank lines dropped).
read_probes() {
	PROBE_LINES=()
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		line="${line%%#*}"
		[[ "$line" =~ [^[:space:]] ]] || continue
		PROBE_LINES+=("$line")
	done <"$1"
}

# Writable paths listed for a service in the probes.
writable_paths() {
	local line words
	for line in "${PROBE_LINES[@]}"; do
		read -ra words <<<"$line"
		if [ "${words[0]}" = writable ] && [ "${words[1]}" = "$1" ]; then
			printf '%s\n' "${words[@]:2}"
		fi
	done
}

# run_steps STACK PROJECT DIR TIMEOUT MODE [SERVICE]
#   MODE=positive: report each step as a check.
#   MODE=negative: run only SERVICE's steps, stop at the first failure; print it and return 1.
run_steps() {
	local stack="$1" p="$2" dir="$3" timeout="$4" mode="$5" only="${6:-}"
	local line words kind svc rest obs rc label restarted=" "
	for line in "${PROBE_LINES[@]}"; do
		read -ra words <<<"$line"
		kind="${words[0]}"
		svc="${words[1]}"
		[ -z "$only" ] || [ "$svc" = "$only" ] || continue
		rest="${line#*"$svc"}"
		rest="${rest#"${rest%%[![:space:]]*}"}"
		case "$kind" in
			writable) continue ;;
			restart)
				# what `docker-compose restart` does, without another compose start-up
				if docker restart -t 10 "$(container_of "$p" "$svc")" >>"$LOGS/$p.log" 2>&1; then
					obs="restarted"
					true
				else
					obs="docker restart failed"
					false
				fi
				;;
			runs-as)
				obs="$(runs_as "$p" "$svc" "${words[@]:2}")"
				;;
			http)
				obs="$(poll_step "$p" "$timeout" http "$svc" "${words[2]}" "${words[3]}" "${words[*]:4}")"
				;;
			exec | probe)
				obs="$(poll_step "$p" "$timeout" "$kind" "$svc" "${words[2]}" "${rest#"${words[2]}"}")"
				;;
			*)
				obs="unknown step kind '$kind'"
				false
				;;
		esac
		rc=$?
		label="$(printf '%s' "$line" | sed 's/[[:space:]]\{1,\}/ /g' | cut -c1-70)"
		[[ "$restarted" == *" $svc "* ]] && label="$label (after restart)"
		[ "$kind" = restart ] && restarted="$restarted$svc "
		if [ "$mode" = positive ]; then
			if [ "$rc" = 0 ]; then
				result PASS "$stack/$svc" "$label -> $(printf '%s' "$obs" | cut -c1-90)"
			else
				result FAIL "$stack/$svc" "$label -> $obs"
			fi
		elif [ "$rc" != 0 ]; then
			echo "'$label' failed: $obs"
			return 1
		fi
	done
	return 0
}

# compose_up PROJECT DIR [SERVICE...]; on failure prints the reason
compose_up() {
	local p="$1" dir="$2"
	shift 2
	if ! (cd "$dir" && e2e_compose -p "$p" -f compose.yml up -d "$@") >"$LOGS/$p.up.log" 2>&1; then
		grep -E -i -m2 'error|denied|permitted|failed' "$LOGS/$p.up.log" | oneline 220
		cat "$LOGS/$p.up.log" >>"$LOGS/$p.log"
		return 1
	fi
	cat "$LOGS/$p.up.log" >>"$LOGS/$p.log"
}

# variant STACK N SERVICE ACTION ITEMS...: copy the hardened stack, remove the
# items, bring SERVICE up and run its probes. Writes "OUTCOME<TAB>REASON" to
# $WORK/variant-STACK-N with OUTCOME one of broken, works, invalid (item absent).
variant() {
	local stack="$1" n="$2" svc="$3" action="$4"
	shift 4
	local p="$E2E_PREFIX-$stack-v$n"
	local dir="$WORK/dirs/$p" err outcome reason cid
	rm -rf "$dir"
	cp -a "$WORK/hardened-$stack" "$dir"
	# "none" changes nothing: the unmodified control, run under the same timeout.
	if [ "$action" != none ] && ! err="$(helper "$action" "$dir/compose.yml" "$svc" "$@" 2>&1)"; then
		outcome=invalid
		reason="$err"
	elif ! err="$(compose_up "$p" "$dir" "$svc")"; then
		outcome=broken
		reason="did not start: $err"
	elif err="$(run_steps "$stack" "$p" "$dir" "$NEG_TIMEOUT" negative "$svc")"; then
		outcome=works
		reason="all probes of $svc still pass"
	else
		outcome=broken
		reason="$err"
	fi
	# What the failure looked like, for the expectation of the control: the
	# reason and the service's whole log.
	cid="$(container_of "$p" "$svc")"
	{
		printf '%s\n' "$reason"
		[ -z "$cid" ] || docker logs "$cid" 2>&1 | tail -n 200
	} >"$WORK/variant-$stack-$n.evidence"
	project_down "$p"
	printf '%s\t%s\n' "$outcome" "$(printf '%s' "$reason" | oneline 400)" >"$WORK/variant-$stack-$n"
}

# run_variants STACK KIND: runs the lines of $WORK/variants-STACK ("SERVICE ACTION ITEMS...")
# in parallel, then reports them in order. KIND=negative counts them as checks,
# KIND=ablate prints INFO lines.
run_variants() {
	local stack="$1" kind="$2" list="$WORK/variants-$1" n=0 line svc action items expect
	while IFS= read -r line; do
		n=$((n + 1))
		read -r svc action items <<<"${line%%|*}"
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
		# shellcheck disable=SC2086
		variant "$stack" "$n" "$svc" "$action" $items &
	done <"$list"
	wait
	n=0
	local outcome reason what
	while IFS= read -r line; do
		n=$((n + 1))
		read -r svc action items <<<"${line%%|*}"
		expect=""
		[[ "$line" == *"|"* ]] && expect="$(printf '%s' "${line#*|}" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
		IFS=$'\t' read -r outcome reason <"$WORK/variant-$stack-$n" || outcome=missing
		if [ "$kind" = negative ] && [ "$action" = none ]; then
			case "$outcome" in
				works) result PASS "$stack/$svc" "control: unmodified, under the ${NEG_TIMEOUT}s timeout of the negative controls -> works" ;;
				*) result FAIL "$stack/$svc" "control: unmodified, under the ${NEG_TIMEOUT}s timeout of the negative controls -> $outcome: $(printf '%s' "$reason" | cut -c1-200)" ;;
			esac
		elif [ "$kind" = negative ]; then
			what="negative: $action $items"
			case "$outcome" in
				broken)
					if [ -z "$expect" ]; then
						result FAIL "$stack/$svc" "$what -> fails, but the control names no expected failure (| REGEX)"
					elif grep -E -i -q -- "$expect" "$WORK/variant-$stack-$n.evidence"; then
						result PASS "$stack/$svc" "$what -> fails as expected (/$expect/): $(printf '%s' "$reason" | cut -c1-200)"
					else
						result FAIL "$stack/$svc" "$what -> fails, but not with /$expect/: $(printf '%s' "$reason" | cut -c1-200)"
					fi
					;;
				works) result FAIL "$stack/$svc" "$what -> still works ($reason)" ;;
				*) result FAIL "$stack/$svc" "$what -> cannot apply: ${reason:-no result}" ;;
			esac
		else
			case "$outcome" in
				broken) info "$stack/$svc" "ablate $action $items: NEEDED ($(printf '%s' "$reason" | cut -c1-160))" ;;
				works) info "$stack/$svc" "ablate $action $items: not needed by the probes" ;;
				*) info "$stack/$svc" "ablate $action $items: ${reason:-no result}" ;;
			esac
		fi
	done <"$list"
}

# check_report STACK FILE REPORT HARDENED: each `report SERVICE TEXT` line of FILE
# must be in harden's report (TEXT given as a fixed string), and each
# `lacks SERVICE cap|tmpfs ITEM` item must be missing from HARDENED.
check_report() {
	local stack="$1" file="$2" report="$3" hardened="$4" kind svc rest
	[ -f "$file" ] || return 0
	while read -r kind svc rest; do
		case "$kind" in
			''|'#'*) continue ;;
			report)
				if printf '%s\n' "$report" | grep -F -- "$svc" | grep -qF -- "$rest"; then
					result PASS "$stack/$svc" "the report says: $rest"
				else
					result FAIL "$stack/$svc" "the report does not say: $rest"
				fi ;;
			lacks)
				if helper items "$hardened" "$svc" | grep -qxF -- "$rest"; then
					result FAIL "$stack/$svc" "the hardened file has $rest"
				else
					result PASS "$stack/$svc" "the hardened file lacks $rest"
				fi ;;
			*) result FAIL "$stack" "bad line in $(basename "$file"): $kind $svc $rest" ;;
		esac
	done <"$file"
}

# Hardened with --no-engine (no image evidence): the checks of the stack's
# `no-engine` file (same lines as `report`).
check_no_engine() {
	local stack="$1" src="$2" d="$WORK/no-engine-$1" out
	cp -a "$src" "$d"
	if out="$(cd "$d" && "$HARDEN" --no-engine --write compose.yml 2>&1)"; then
		result PASS "$stack" "harden --no-engine --write compose.yml"
		check_report "$stack" "$src/no-engine" "$out" "$d/compose.yml"
	else
		result FAIL "$stack" "harden --no-engine failed: $(printf '%s' "$out" | oneline 200)"
	fi
}

run_stack() {
	local stack="$1" src="$E2E_DIR/stacks/$1"
	local p="$E2E_PREFIX-$stack"
	local dir="$WORK/dirs/$p"
	mkdir -p "$WORK/dirs"
	cp -a "$src" "$dir"
	read_probes "$src/probes"

	# 1. harden
	if [ "$USE_EXPECTED" = 1 ]; then
		cp "$E2E_DIR/expected-hardened/$stack/compose.yml" "$dir/compose.yml"
		info "$stack" "using expected-hardened/$stack/compose.yml"
	else
		local out
		if out="$(cd "$dir" && "$HARDEN" --write compose.yml 2>&1)"; then
			result PASS "$stack" "harden --write compose.yml"
		else
			result FAIL "$stack" "harden --write compose.yml failed: $(printf '%s' "$out" | oneline 200)"
			return
		fi
		if cmp -s "$src/compose.yml" "$dir/compose.yml"; then
			result FAIL "$stack" "harden left compose.yml unchanged"
			return
		fi
	fi
	cp -a "$dir" "$WORK/hardened-$stack"
	[ "$USE_EXPECTED" = 1 ] || check_report "$stack" "$src/report" "$out" "$dir/compose.yml"
	[ "$USE_EXPECTED" = 1 ] || [ ! -f "$src/no-engine" ] || check_no_engine "$stack" "$src"

	# 2. valid for compose
	local err
	if err="$(cd "$dir" && e2e_compose -f compose.yml config -q 2>&1)"; then
		result PASS "$stack" "docker-compose config accepts the hardened file"
	else
		result FAIL "$stack" "docker-compose config rejects it: $(printf '%s' "$err" | oneline 200)"
		return
	fi

	# 3. up
	if err="$(compose_up "$p" "$dir")"; then
		result PASS "$stack" "docker-compose up -d"
	else
		result FAIL "$stack" "docker-compose up -d failed: $err"
	fi

	# 4. hardening in effect (docker inspect). The helper's output is taken
	# whole, with its exit status: a crash of the helper is a FAIL line, never
	# a silently shorter list of checks.
	local svc cid status desc services checks
	if ! services="$(helper services "$dir/compose.yml" 2>&1)" || [ -z "$services" ]; then
		result FAIL "$stack" "cannot list the services of the hardened file: $(printf '%s' "$services" | oneline 200)"
		services=""
	fi
	while read -r svc; do
		[ -n "$svc" ] || continue
		cid="$(container_of "$p" "$svc")"
		if [ -z "$cid" ]; then
			result FAIL "$stack/$svc" "no container"
			continue
		fi
		# shellcheck disable=SC2046
		if ! checks="$(docker inspect "$cid" | helper inspect-checks "$svc" $(writable_paths "$svc"))" || [ -z "$checks" ]; then
			result FAIL "$stack/$svc" "the inspect checks did not run: $(printf '%s' "$checks" | oneline 200)"
			continue
		fi
		while IFS=$'\t' read -r status desc; do
			result "$status" "$stack/$svc" "$desc"
		done <<<"$checks"
	done <<<"$services"

	# 5. probes
	run_steps "$stack" "$p" "$dir" "$POS_TIMEOUT" positive
	project_down "$p"

	# 6. negative controls: each must break the service
	if [ "$NEGATIVE" = 1 ] && [ -f "$src/negative-controls" ]; then
		local line
		while IFS= read -r line || [ -n "$line" ]; do
			line="${line%%#*}"
			[[ "$line" =~ [^[:space:]] ]] || continue
			printf '%s\n' "$line"
		done <"$src/negative-controls" >"$WORK/variants-$stack"
		# An unmodified control per service that has negative controls: the
		# timeout, not the removed item, must not be what breaks them.
		awk '{ print $1 }' "$WORK/variants-$stack" | sort -u | sed 's/$/ none/' >>"$WORK/variants-$stack"
		run_variants "$stack" negative
	fi

	# 7. ablation (informational): every cap_add and tmpfs item, one at a time
	if [ "$ABLATE" = 1 ]; then
		local kind item
		while read -r svc; do
			while read -r kind item; do
				[ "$kind" = cap ] && echo "$svc drop-cap $item"
				[ "$kind" = tmpfs ] && echo "$svc drop-tmpfs $item"
			done < <(helper items "$WORK/hardened-$stack/compose.yml" "$svc")
		done < <(helper services "$WORK/hardened-$stack/compose.yml") >"$WORK/variants-$stack"
		run_variants "$stack" ablate
	fi
}

STACKS=()
if [ "${#ONLY[@]}" -gt 0 ]; then
	STACKS=("${ONLY[@]}")
else
	for d in "$E2E_DIR"/stacks/*/; do STACKS+=("$(basename "$d")"); done
fi
for stack in "${STACKS[@]}"; do
	[ -f "$E2E_DIR/stacks/$stack/compose.yml" ] || e2e_die "no stack $stack"
	if [ "$USE_EXPECTED" = 1 ] && [ ! -f "$E2E_DIR/expected-hardened/$stack/compose.yml" ]; then
		e2e_die "no expected-hardened/$stack/compose.yml"
	fi
done
# The stacks are independent (own project names), so they run concurrently; each
# writes its lines to a file, and the files are printed in order.
for stack in "${STACKS[@]}"; do
	(
		trap - EXIT
		T_STACK=$(e2e_now)
		run_stack "$stack"
		info "$stack" "took $(($(e2e_now) - T_STACK))s"
	) >"$WORK/out-$stack" 2>"$LOGS/stderr-$stack" &
done
wait
for stack in "${STACKS[@]}"; do
	cat "$WORK/out-$stack"
	if ! grep -q "^INFO  $stack  *took " "$WORK/out-$stack"; then
		result FAIL "$stack" "the stack's run was aborted (see $LOGS/stderr-$stack)" | tee -a "$WORK/out-$stack"
	fi
done
PASSED="$(cat "${STACKS[@]/#/$WORK/out-}" | grep -c '^PASS ')"
FAILED="$(cat "${STACKS[@]/#/$WORK/out-}" | grep -c '^FAIL ')"
info "total" "run time $(($(e2e_now) - T_START))s"
if [ "$FAILED" != 0 ] || [ "$KEEP" = 1 ]; then
	info "total" "work folder kept (copies, logs): $WORK"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
