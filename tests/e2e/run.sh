#!/usr/bin/env bash
# Runtime end-to-end proof of harden's output.
#
#   run.sh HARDEN_BINARY      harden every stack with `HARDEN_BINARY --write compose.yml`
#   run.sh --use-expected     use the hand-written expected-hardened/ files instead
# Options:
#   --only STACK              run one stack (repeatable)
#   --no-negative             skip the negative controls
#   --ablate                  also remove every cap_add and tmpfs item of every service,
#                             one at a time, and report whether it was needed (INFO lines,
#                             not counted)
#   --keep                    keep the work folder (copies, logs) even on success
#
# For each stack in stacks/: copy it to a temp folder, harden it, bring it up with
# docker-compose, check with docker inspect that the hardening is in effect, run
# its probes, then bring up variants with one inferred item removed (negative
# controls) and require each to fail. One line per check; the last line is
# "N passed, M failed". Exit 1 on any failure, 2 on a usage or setup error.
# No engine: "SKIPPED: ..." and exit 0 (exit 1 with HARDEN_E2E_REQUIRED=1).
#
# Environment: HARDEN_E2E_TIMEOUT (s per probe step, default 90),
#              HARDEN_E2E_NEG_TIMEOUT (s per probe step in negative controls, default 20).
set -uo pipefail
# shellcheck source=lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

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

# ------------------------------------------------------------------ preconditions
command -v docker >/dev/null 2>&1 || e2e_skip "no docker CLI (run tests/e2e/setup.sh first)"
e2e_engine_ok || e2e_skip "no Docker engine answers (run tests/e2e/setup.sh first; it starts one)"
e2e_have_compose || e2e_skip "neither docker-compose nor the compose plugin is installed"
PY="$(e2e_python)" || e2e_die "need python3 with the yaml module (Debian: python3-yaml)"
for img in $E2E_IMAGES; do
	docker image inspect "$img:e2e" >/dev/null 2>&1 || e2e_die "image $img:e2e missing: run tests/e2e/setup.sh"
done
docker image inspect "$E2E_PROBE_IMAGE" >/dev/null 2>&1 || e2e_die "image $E2E_PROBE_IMAGE missing: run tests/e2e/setup.sh"

T_START=$(e2e_now)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/harden-e2e-run.XXXXXX")"
LOGS="$WORK/logs"
mkdir -p "$LOGS"
PROJECTS=()
PASSED=0
FAILED=0

helper() { "$PY" "$E2E_DIR/lib/e2e_helper.py" "$@"; }

result() {
	# result PASS|FAIL WHAT DESCRIPTION
	local status="$1" what="$2" desc="$3"
	if [ "$status" = PASS ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	printf '%s  %-24s %s\n' "$status" "$what" "$desc"
}
info() { printf 'INFO  %-24s %s\n' "$1" "$2"; }

oneline() { tr '\n\t' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-"${1:-160}"; }

project_down() {
	local p="$1" dir="$2"
	docker rm -f "$p-probe" >/dev/null 2>&1 || true
	(cd "$dir" && e2e_compose -p "$p" -f compose.yml down -v -t 3 --remove-orphans) >>"$LOGS/$p.log" 2>&1 || true
}

cleanup() {
	local p
	for p in "${PROJECTS[@]}"; do
		[ -d "$WORK/dirs/$p" ] && project_down "$p" "$WORK/dirs/$p"
	done
	if [ "$FAILED" = 0 ] && [ "$KEEP" = 0 ]; then
		rm -rf "$WORK"
	else
		echo "work folder kept: $WORK" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

container_of() {
	docker ps -aq --filter "label=com.docker.compose.project=$1" \
		--filter "label=com.docker.compose.service=$2" | head -n1
}

# Why a container is not (or no longer) usable; empty while it is running.
container_problem() {
	local cid="$1" st
	[ -n "$cid" ] || { echo "container was never created"; return; }
	st="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' "$cid" 2>/dev/null)" ||
		{ echo "container is gone"; return; }
	set -- $st
	case "$1" in
		running) [ "$3" = 0 ] || echo "container restarted $3 time(s): $(docker logs --tail 2 "$cid" 2>&1 | oneline)" ;;
		created) echo "container never started" ;;
		*) echo "container $1 (exit $2): $(docker logs --tail 3 "$cid" 2>&1 | oneline 200)" ;;
	esac
}

start_probe_container() {
	local p="$1" net
	net="$(docker network ls -q --filter "label=com.docker.compose.project=$p" | head -n1)"
	[ -n "$net" ] || net="${p}_default"
	docker rm -f "$p-probe" >/dev/null 2>&1 || true
	docker run -d --rm --name "$p-probe" --label "$E2E_LABEL=1" --network "$net" \
		"$E2E_PROBE_IMAGE" sleep 86400 >>"$LOGS/$p.log" 2>&1
}

# One attempt of a probe step. Prints a short observation; status 0 if it passed.
attempt() {
	local p="$1" kind="$2" svc="$3" cid="$4"
	shift 4
	local out
	case "$kind" in
		http)
			local port="$1" path="$2"
			shift 2
			local text="$*"
			out="$(timeout 8 docker exec "$p-probe" curl -sS --max-time 4 -o - -w '\n[HTTP %{http_code}]' \
				"http://$svc:$port$path" 2>&1)"
			printf '%s' "$out" | tail -c 300 | oneline
			[[ "$out" == *"[HTTP 200]" ]] && [[ "$out" == *"$text"* ]]
			;;
		exec | probe)
			local expect="$1"
			shift
			local target="$cid"
			[ "$kind" = probe ] && target="$p-probe"
			out="$(timeout 15 docker exec "$target" sh -c "$*" 2>&1)"
			local trimmed
			trimmed="$(printf '%s' "$out" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
			printf '%s' "$trimmed" | oneline
			[ "$trimmed" = "$expect" ]
			;;
		*) echo "unknown probe kind $kind"; return 1 ;;
	esac
}

# poll_step PROJECT TIMEOUT KIND SERVICE ARGS... ; prints the last observation on failure
poll_step() {
	local p="$1" timeout="$2" kind="$3" svc="$4"
	shift 4
	local deadline=$(($(e2e_now) + timeout)) cid obs problem
	while :; do
		cid="$(container_of "$p" "$svc")"
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

# runs_as PROJECT SERVICE USER [PATTERN]
runs_as() {
	local p="$1" svc="$2" user="$3"
	shift 3
	local pattern="$*" cid want pid1 rows bad=0 n=0 desc
	cid="$(container_of "$p" "$svc")"
	local problem
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
		desc="${desc:+$desc; }uid $uid: $(printf '%s' "$args" | cut -c1-50)"
	done <<<"$rows"
	if [ -z "$pattern" ]; then
		local capeff
		capeff="$(docker exec "$cid" cat /proc/1/status 2>/dev/null | awk '/^CapEff:/ {print $2}')"
		desc="$desc; CapEff $capeff"
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

# run_steps STACK PROJECT DIR TIMEOUT MODE [SERVICE]
#   MODE=positive: report each step as a check.
#   MODE=negative: run only SERVICE's steps, stop at the first failure; print it and return 1.
run_steps() {
	local stack="$1" p="$2" dir="$3" timeout="$4" mode="$5" only="${6:-}" line kind svc obs
	for line in "${PROBE_LINES[@]}"; do
		read -r kind svc _ <<<"$line"
		[ -z "$only" ] || [ "$svc" = "$only" ] || continue
		# shellcheck disable=SC2206
		local words=($line)
		local rest="${line#*"$svc"}"
		rest="${rest#"${rest%%[![:space:]]*}"}"
		case "$kind" in
			writable) continue ;;
			restart)
				if (cd "$dir" && e2e_compose -p "$p" -f compose.yml restart -t 10 "$svc") >>"$LOGS/$p.log" 2>&1; then
					obs="restarted"; true
				else
					obs="docker-compose restart failed"; false
				fi
				;;
			runs-as)
				obs="$(runs_as "$p" "$svc" "${words[@]:2}")"
				;;
			http)
				obs="$(poll_step "$p" "$timeout" http "$svc" "${words[2]}" "${words[3]}" "${words[*]:4}")"
				;;
			exec | probe)
				local expect="${words[2]}"
				local cmd="${rest#"$expect"}"
				obs="$(poll_step "$p" "$timeout" "$kind" "$svc" "$expect" "$cmd")"
				;;
			*)
				obs="unknown step kind '$kind'"; false
				;;
		esac
		local rc=$?
		local label
		label="$(printf '%s' "$line" | sed 's/[[:space:]]\{1,\}/ /g' | cut -c1-70)"
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

# Writable paths listed for a service in the probes.
writable_paths() {
	local line kind svc
	for line in "${PROBE_LINES[@]}"; do
		read -r kind svc _ <<<"$line"
		if [ "$kind" = writable ] && [ "$svc" = "$1" ]; then
			# shellcheck disable=SC2086
			set -- "$1" $line
			shift 3
			printf '%s\n' "$@"
			set -- "$svc"
		fi
	done
}

new_project_dir() {
	# new_project_dir PROJECT SRC_DIR -> copies SRC_DIR to $WORK/dirs/PROJECT
	mkdir -p "$WORK/dirs"
	rm -rf "$WORK/dirs/$1"
	cp -a "$2" "$WORK/dirs/$1"
	PROJECTS+=("$1")
}

compose_up() {
	# compose_up PROJECT DIR [SERVICE]; on failure prints the reason
	local p="$1" dir="$2"
	shift 2
	(cd "$dir" && e2e_compose -p "$p" -f compose.yml down -v -t 1 --remove-orphans) >>"$LOGS/$p.log" 2>&1
	if ! (cd "$dir" && e2e_compose -p "$p" -f compose.yml up -d "$@") >"$LOGS/$p.up.log" 2>&1; then
		grep -v '^\(Creating\|Starting\|Recreating\)' "$LOGS/$p.up.log" | grep -i -m2 'error\|denied\|permitted\|failed' | oneline 220
		cat "$LOGS/$p.up.log" >>"$LOGS/$p.log"
		return 1
	fi
	cat "$LOGS/$p.up.log" >>"$LOGS/$p.log"
	start_probe_container "$p"
}

# one_variant STACK BASE_DIR SERVICE ACTION ITEMS... ; sets VARIANT_OUTCOME and VARIANT_REASON
#   outcome: broken (start or a probe failed), works, invalid (item not in the file)
VARIANT_N=0
one_variant() {
	local stack="$1" base="$2" svc="$3" action="$4"
	shift 4
	VARIANT_N=$((VARIANT_N + 1))
	local p="$E2E_PREFIX-$stack-v$VARIANT_N"
	new_project_dir "$p" "$base"
	local dir="$WORK/dirs/$p" err
	if ! err="$(helper "$action" "$dir/compose.yml" "$svc" "$@" 2>&1)"; then
		VARIANT_OUTCOME=invalid
		VARIANT_REASON="$err"
		return
	fi
	if ! err="$(compose_up "$p" "$dir" "$svc")"; then
		VARIANT_OUTCOME=broken
		VARIANT_REASON="did not start: $err"
	elif err="$(run_steps "$stack" "$p" "$dir" "$NEG_TIMEOUT" negative "$svc")"; then
		VARIANT_OUTCOME=works
		VARIANT_REASON="all probes of $svc still pass"
	else
		VARIANT_OUTCOME=broken
		VARIANT_REASON="$err"
	fi
	project_down "$p" "$dir"
}

run_stack() {
	local stack="$1" src="$E2E_DIR/stacks/$1"
	local p="$E2E_PREFIX-$stack"
	local dir="$WORK/dirs/$p"
	new_project_dir "$p" "$src"
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

	# 4. hardening in effect (docker inspect)
	local svc cid line status desc
	while read -r svc; do
		cid="$(container_of "$p" "$svc")"
		if [ -z "$cid" ]; then
			result FAIL "$stack/$svc" "no container"
			continue
		fi
		# shellcheck disable=SC2046
		while IFS=$'\t' read -r status desc; do
			result "$status" "$stack/$svc" "$desc"
		done < <(docker inspect "$cid" | helper inspect-checks "$svc" $(writable_paths "$svc"))
	done < <(helper services "$dir/compose.yml")

	# 5. probes
	run_steps "$stack" "$p" "$dir" "$POS_TIMEOUT" positive
	project_down "$p" "$dir"

	# 6. negative controls: each must break the service
	if [ "$NEGATIVE" = 1 ] && [ -f "$src/negative-controls" ]; then
		local action items
		while IFS= read -r line || [ -n "$line" ]; do
			line="${line%%#*}"
			[[ "$line" =~ [^[:space:]] ]] || continue
			read -r svc action items <<<"$line"
			# shellcheck disable=SC2086
			one_variant "$stack" "$WORK/hardened-$stack" "$svc" "$action" $items
			local what="negative: $action $items"
			case "$VARIANT_OUTCOME" in
				broken) result PASS "$stack/$svc" "$what -> fails as expected: $(printf '%s' "$VARIANT_REASON" | cut -c1-200)" ;;
				works) result FAIL "$stack/$svc" "$what -> still works ($VARIANT_REASON)" ;;
				*) result FAIL "$stack/$svc" "$what -> cannot apply: $VARIANT_REASON" ;;
			esac
		done <"$src/negative-controls"
	fi

	# 7. ablation (informational)
	if [ "$ABLATE" = 1 ]; then
		local kind item
		while read -r svc; do
			while read -r kind item; do
				[ -n "$kind" ] || continue
				if [ "$kind" = cap ]; then
					one_variant "$stack" "$WORK/hardened-$stack" "$svc" drop-cap "$item"
				else
					one_variant "$stack" "$WORK/hardened-$stack" "$svc" drop-tmpfs "$item"
				fi
				case "$VARIANT_OUTCOME" in
					broken) info "$stack/$svc" "ablate $kind $item: NEEDED ($(printf '%s' "$VARIANT_REASON" | cut -c1-160))" ;;
					works) info "$stack/$svc" "ablate $kind $item: not needed by the probes" ;;
					*) info "$stack/$svc" "ablate $kind $item: $VARIANT_REASON" ;;
				esac
			done < <(helper items "$WORK/hardened-$stack/compose.yml" "$svc")
		done < <(helper services "$WORK/hardened-$stack/compose.yml")
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
	T_STACK=$(e2e_now)
	run_stack "$stack"
	info "$stack" "took $(($(e2e_now) - T_STACK))s"
done

echo "run time: $(($(e2e_now) - T_START))s" >"$WORK/timing"
info "total" "run time $(($(e2e_now) - T_START))s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
