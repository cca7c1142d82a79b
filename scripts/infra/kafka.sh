#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, no ZooKeeper, no Docker) for local dev, tests and CI.
#
#   scripts/infra/kafka.sh fetch        # Kafka jars from Maven Central -> .cache/kafka/libs (once)
#   scripts/infra/kafka.sh start        # start broker (no-op if the port already answers)
#   scripts/infra/kafka.sh stop         # stop the broker started by this script
#   scripts/infra/kafka.sh status
#   scripts/infra/kafka.sh run CLASS [ARGS...]   # run a Kafka tool class, e.g.
#       scripts/infra/kafka.sh run org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#   scripts/infra/kafka.sh classpath    # print the classpath (for java -cp ...)
#   scripts/infra/kafka.sh version      # print the Kafka version this script runs
#
# Environment:
#   KAFKA_HOME_DIR         state dir: config, data, log, pid   (default $REPO/.cache/kafka)
#   KAFKA_LIBS_DIR         jars, shared by all instances        (default $REPO/.cache/kafka/libs)
#   KAFKA_HOST             listen/advertise host                (default 127.0.0.1)
#   KAFKA_PORT             PLAINTEXT listener                   (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener            (default 9093)
#   KAFKA_NODE_ID          this node's id                       (default 1)
#   KAFKA_QUORUM_VOTERS    controller.quorum.voters             (default: this node alone)
#   KAFKA_CLUSTER_ID       cluster id for formatting (the same on every node of a cluster;
#                          default: a new one, kept in $KAFKA_HOME_DIR/cluster.id)
#   KAFKA_HEAP_OPTS        (default "-Xmx512m -Xms256m");  KAFKA_JVM_OPTS: extra JVM flags
#   KAFKA_EXTRA_PROPS      extra server.properties lines (newline separated), appended last
#   KAFKA_START_TIMEOUT    seconds to wait for readiness (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#   KAFKA_MVN_ARGS         extra mvn arguments for fetch, e.g. -Dmaven.repo.local=/tmp/m2
#   KAFKA_TOOL_OPTS        JVM flags for 'run'                  (default -Xmx512m)
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

KAFKA_VERSION=4.1.1
POM="$INFRA_DIR/kafka/pom.xml"
READY_SRC="$INFRA_DIR/kafka/KafkaReady.java"
BROKER_LOG4J="$INFRA_DIR/kafka/log4j2-broker.properties"
TOOLS_LOG4J="$INFRA_DIR/kafka/log4j2-tools.properties"

KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$REPO/.cache/kafka}"
KAFKA_LIBS_DIR="${KAFKA_LIBS_DIR:-$REPO/.cache/kafka/libs}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_NODE_ID="${KAFKA_NODE_ID:-1}"
KAFKA_QUORUM_VOTERS="${KAFKA_QUORUM_VOTERS:-$KAFKA_NODE_ID@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT}"
KAFKA_CLUSTER_ID="${KAFKA_CLUSTER_ID:-}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_EXTRA_PROPS="${KAFKA_EXTRA_PROPS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_MVN_ARGS="${KAFKA_MVN_ARGS:-}"

# make the dirs absolute (a relative KAFKA_HOME_DIR must survive the cd's below)
abs_path() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
KAFKA_HOME_DIR="$(abs_path "$KAFKA_HOME_DIR")"
KAFKA_LIBS_DIR="$(abs_path "$KAFKA_LIBS_DIR")"

CONF="$KAFKA_HOME_DIR/server.properties"
DATA_DIR="$KAFKA_HOME_DIR/data"
LOG_FILE="$KAFKA_HOME_DIR/kafka.log"
PID_FILE="$KAFKA_HOME_DIR/kafka.pid"
CLUSTER_ID_FILE="$KAFKA_HOME_DIR/cluster.id"
MARKER="$KAFKA_LIBS_DIR/.fetched"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

CLASSPATH_GLOB="$KAFKA_LIBS_DIR/*"

need_cmd() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if is_root; then
    apt_install "$pkg"
  else
    die "'$cmd' not found: install it (Debian: sudo apt-get install $pkg)"
  fi
}

# --------------------------------------------------------------------- fetch
pom_hash() { { echo "$KAFKA_VERSION"; cat "$POM"; } | sha256sum | cut -d' ' -f1; }

is_fetched() {
  [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$(pom_hash)" ] &&
    compgen -G "$KAFKA_LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
}

cmd_fetch() {
  if is_fetched; then
    info "kafka $KAFKA_VERSION: already fetched ($KAFKA_LIBS_DIR)"
    return 0
  fi
  need_cmd java default-jre-headless
  need_cmd mvn maven
  mkdir -p "$(dirname "$KAFKA_LIBS_DIR")"
  # serialize concurrent fetches (e.g. two start commands at once)
  exec 8>"$KAFKA_LIBS_DIR.lock"
  flock -w 600 8 || die "timed out waiting for another fetch ($KAFKA_LIBS_DIR.lock)"
  if is_fetched; then
    info "kafka $KAFKA_VERSION: already fetched by a concurrent run"
    exec 8>&-
    return 0
  fi
  local t0 tmp
  t0=$(now_ms)
  tmp="$KAFKA_LIBS_DIR.tmp.$$"
  rm -rf "$tmp"
  info "kafka $KAFKA_VERSION: fetching jars with Maven -> $KAFKA_LIBS_DIR"
  # shellcheck disable=SC2086 # KAFKA_MVN_ARGS is a list of words on purpose
  # mvn -q still prints terminal colour resets; keep its output for errors only
  if ! mvn -B -q -f "$POM" $KAFKA_MVN_ARGS dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$tmp.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$tmp.log" | tail -n 40 >&2
    rm -rf "$tmp" "$tmp.log"
    die "maven could not fetch kafka $KAFKA_VERSION (is Maven Central reachable?)"
  fi
  rm -f "$tmp.log"
  [ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || die "fetch incomplete: kafka_2.13-$KAFKA_VERSION.jar missing in $tmp"
  rm -rf "$KAFKA_LIBS_DIR"
  mv "$tmp" "$KAFKA_LIBS_DIR"
  pom_hash >"$MARKER"
  exec 8>&-
  info "kafka $KAFKA_VERSION: fetched $(find "$KAFKA_LIBS_DIR" -name '*.jar' | wc -l) jars in $(fmt_secs $(($(now_ms) - t0)))"
}

# ------------------------------------------------------------------- helpers
# pid of the broker started by us for this KAFKA_HOME_DIR, if alive
running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: it must be our kafka.Kafka with our config
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $CONF" || return 1
  echo "$pid"
}

# listeners= line of the config the running broker was started with
conf_listeners() { sed -n 's/^listeners=//p' "$CONF" 2>/dev/null | head -n1; }
conf_bootstrap() { sed -n 's#^advertised.listeners=PLAINTEXT://##p' "$CONF" 2>/dev/null | head -n1; }
WANT_LISTENERS="PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT"

# short-lived internal helpers (StorageTool, probe): tuned for JVM start-up time
run_tool() { # run_tool CLASS ARGS...
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$CLASSPATH_GLOB" "$@"
}

write_config() {
  mkdir -p "$KAFKA_HOME_DIR" "$DATA_DIR"
  local tmp="$CONF.tmp.$$"
  cat >"$tmp" <<EOF
# Generated by scripts/infra/kafka.sh on every start - do not edit (use KAFKA_EXTRA_PROPS).
# KRaft: one process is both broker and controller (a single node unless KAFKA_QUORUM_VOTERS
# names the others of a cluster).
process.roles=broker,controller
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_QUORUM_VOTERS
controller.listener.names=CONTROLLER
listeners=$WANT_LISTENERS
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR

# single node: every replication factor / min ISR is 1 (a cluster overrides these through
# KAFKA_EXTRA_PROPS)
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=3

# dev box: keep the disk footprint bounded
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=134217728
EOF
  if [ -n "$KAFKA_EXTRA_PROPS" ]; then
    printf '\n# KAFKA_EXTRA_PROPS\n%s\n' "$KAFKA_EXTRA_PROPS" >>"$tmp"
  fi
  mv "$tmp" "$CONF"
}

# Same format as 'StorageTool random-uuid' (org.apache.kafka.common.Uuid: 16 random bytes,
# URL-safe base64 without padding, never starting with '-'), without paying a JVM start.
new_cluster_id() {
  local id
  while :; do
    id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [ "${#id}" -eq 22 ] && [ "${id:0:1}" != "-" ] && break
  done
  echo "$id"
}

format_storage() {
  if [ -f "$DATA_DIR/meta.properties" ]; then
    return 0
  fi
  local cid
  if [ -n "$KAFKA_CLUSTER_ID" ]; then
    cid=$KAFKA_CLUSTER_ID
    echo "$cid" >"$CLUSTER_ID_FILE"
  elif [ -s "$CLUSTER_ID_FILE" ]; then
    cid=$(cat "$CLUSTER_ID_FILE")
  else
    cid=$(new_cluster_id)
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  info "kafka: formatting storage $DATA_DIR (cluster id $cid)"
  # static quorum (controller.quorum.voters) => plain 'format -t ID -c CONF';
  # '--standalone' is only for a dynamic quorum (controller.quorum.bootstrap.servers)
  if ! run_tool kafka.tools.StorageTool format --ignore-formatted -t "$cid" -c "$CONF" >"$KAFKA_HOME_DIR/format.log" 2>&1; then
    cat "$KAFKA_HOME_DIR/format.log" >&2
    die "kafka: storage format failed"
  fi
}

# The readiness probe (kafka/KafkaReady.java) is compiled once per source version
# into $KAFKA_LIBS_DIR/.probe (saves the source launcher's compile on every start).
PROBE_DIR="$KAFKA_LIBS_DIR/.probe"
compile_probe() {
  local want
  want=$(sha256sum "$READY_SRC" | cut -d' ' -f1)
  if [ -f "$PROBE_DIR/KafkaReady.class" ] && [ "$(cat "$PROBE_DIR/.src" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  command -v javac >/dev/null 2>&1 || return 0 # fall back to the source launcher
  rm -rf "$PROBE_DIR.tmp.$$"
  mkdir -p "$PROBE_DIR.tmp.$$"
  if javac -nowarn -d "$PROBE_DIR.tmp.$$" -cp "$CLASSPATH_GLOB" "$READY_SRC" >/dev/null 2>&1; then
    echo "$want" >"$PROBE_DIR.tmp.$$/.src"
    rm -rf "$PROBE_DIR"
    mv "$PROBE_DIR.tmp.$$" "$PROBE_DIR"
  else
    rm -rf "$PROBE_DIR.tmp.$$"
  fi
}


# wait_ready PID T0_MS
wait_ready() {
  local pid=$1 t0=$2 deadline left out
  deadline=$((t0 + KAFKA_START_TIMEOUT * 1000))
  # phase 1: cheap TCP check while the broker JVM boots (a probe JVM started now
  # would compete for the CPU and make the boot ~2x slower on a 2-core box)
  until port_open "$KAFKA_HOST" "$KAFKA_PORT"; do
    kill -0 "$pid" 2>/dev/null || fail_start "broker process $pid exited during startup"
    [ "$(now_ms)" -lt "$deadline" ] || fail_start "port $BOOTSTRAP not open after ${KAFKA_START_TIMEOUT}s"
    sleep 0.2
  done
  # phase 2: the port opens before requests are served; one JVM polls real metadata
  # requests (describeCluster + listTopics) until they succeed, the timeout passes,
  # or the broker pid dies.
  left=$(((deadline - $(now_ms)) / 1000))
  [ "$left" -ge 5 ] || left=5
  local cp="$CLASSPATH_GLOB" main="$READY_SRC" # source launcher fallback
  if [ -f "$PROBE_DIR/KafkaReady.class" ]; then
    cp="$PROBE_DIR:$CLASSPATH_GLOB"
    main=KafkaReady
  fi
  if ! out=$(java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -Dinfra.kafka.tools.log.level=ERROR \
    -cp "$cp" "$main" "$BOOTSTRAP" "$left" "$pid" 2>&1); then
    fail_start "broker not ready: $out"
  fi
  info "kafka: $out"
}

fail_start() {
  printf '[infra] ERROR: kafka: %s\n' "$*" >&2
  if [ -f "$LOG_FILE" ]; then
    printf '[infra] --- last 40 lines of %s ---\n' "$LOG_FILE" >&2
    tail -n 40 "$LOG_FILE" >&2
    printf '[infra] ---\n' >&2
  fi
  if pid=$(running_pid); then
    printf '[infra] broker process %s is still running; "%s stop" to kill it\n' "$pid" "$0" >&2
  fi
  exit 1
}

# ---------------------------------------------------------------------- start
cmd_start() {
  mkdir -p "$KAFKA_HOME_DIR"
  exec 9>"$KAFKA_HOME_DIR/.lock"
  flock -w 300 9 || die "kafka: another start/stop holds $KAFKA_HOME_DIR/.lock"

  local pid t0
  t0=$(now_ms)
  if pid=$(running_pid); then
    if [ "$(conf_listeners)" != "$WANT_LISTENERS" ]; then
      die "kafka: the broker of $KAFKA_HOME_DIR (pid $pid) runs with listeners $(conf_listeners), not $WANT_LISTENERS.
        Stop it first (KAFKA_HOME_DIR=$KAFKA_HOME_DIR $0 stop) or use another KAFKA_HOME_DIR."
    fi
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      info "kafka: already running (pid $pid, $BOOTSTRAP)"
      return 0
    fi
    info "kafka: pid $pid is starting, waiting for $BOOTSTRAP"
    wait_ready "$pid" "$t0"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    info "kafka: something already answers on $BOOTSTRAP - not starting another broker"
    return 0
  fi
  if port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
    die "kafka: controller port $KAFKA_HOST:$KAFKA_CONTROLLER_PORT is taken by another process (set KAFKA_CONTROLLER_PORT)"
  fi

  need_cmd java default-jre-headless
  is_fetched || cmd_fetch
  compile_probe
  t0=$(now_ms)
  write_config
  format_storage

  # keep the previous log for post-mortems
  [ -f "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  info "kafka: starting broker on $BOOTSTRAP (controller :$KAFKA_CONTROLLER_PORT, home $KAFKA_HOME_DIR)"
  # setsid: own session, so Ctrl-C / process-group kills of the caller do not hit the broker
  # shellcheck disable=SC2086 # heap/JVM opts are word lists
  (
    cd "$KAFKA_HOME_DIR"
    exec 8>&- 9>&- # do not leak the lock fds into the broker
    exec setsid nohup java $KAFKA_HEAP_OPTS \
      -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$BROKER_LOG4J" -Dkafka.logs.dir="$KAFKA_HOME_DIR" \
      $KAFKA_JVM_OPTS \
      -cp "$CLASSPATH_GLOB" kafka.Kafka "$CONF"
  ) >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid" "$t0"
  info "kafka: ready on $BOOTSTRAP (pid $pid) in $(fmt_secs $(($(now_ms) - t0)))"
}

# ----------------------------------------------------------------------- stop
cmd_stop() {
  mkdir -p "$KAFKA_HOME_DIR"
  exec 9>"$KAFKA_HOME_DIR/.lock"
  flock -w 300 9 || die "kafka: another start/stop holds $KAFKA_HOME_DIR/.lock"
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      info "kafka: not started by this script ($KAFKA_HOME_DIR); leaving whatever answers on $BOOTSTRAP alone"
    else
      info "kafka: not running"
    fi
    return 0
  fi
  local t0 deadline
  t0=$(now_ms)
  deadline=$((t0 + KAFKA_STOP_TIMEOUT * 1000))
  info "kafka: stopping pid $pid ($(conf_bootstrap), home $KAFKA_HOME_DIR) with SIGTERM"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      warn "kafka: pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  info "kafka: stopped in $(fmt_secs $(($(now_ms) - t0)))"
}

# --------------------------------------------------------------------- status
cmd_status() {
  local pid
  if pid=$(running_pid); then
    local actual
    actual=$(conf_bootstrap)
    if [ "$(conf_listeners)" != "$WANT_LISTENERS" ]; then
      info "kafka: broker of $KAFKA_HOME_DIR (pid $pid) runs on $actual, not $BOOTSTRAP"
    elif port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      info "kafka: running (pid $pid, $BOOTSTRAP, up $(ps -o etime= -p "$pid" | tr -d ' '), home $KAFKA_HOME_DIR)"
      return 0
    else
      info "kafka: process $pid alive but $BOOTSTRAP not answering (starting?)"
      return 0
    fi
  fi
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    info "kafka: $BOOTSTRAP answers, but not started by this script (home $KAFKA_HOME_DIR)"
    return 0
  fi
  info "kafka: not running ($BOOTSTRAP)"
  return 3
}

cmd_run() {
  [ $# -ge 1 ] || die "usage: $0 run CLASS [ARGS...]"
  is_fetched || cmd_fetch >&2
  # normal JIT/GC here: 'run' is also used for ProducerPerformance/ConsumerPerformance
  # shellcheck disable=SC2086 # KAFKA_TOOL_OPTS is a word list
  exec java ${KAFKA_TOOL_OPTS:--Xmx512m} -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -cp "$CLASSPATH_GLOB" "$@"
}

usage() {
  sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case "$cmd" in
    fetch) cmd_fetch ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop && cmd_start ;;
    status) cmd_status ;;
    run) cmd_run "$@" ;;
    classpath) echo "$CLASSPATH_GLOB" ;;
    version) echo "$KAFKA_VERSION" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 64
      ;;
  esac
}

main "$@"
