#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft broker+controller) from Kafka's own jars on Maven Central,
# run with java on 127.0.0.1:SEXTANT_KAFKA_PORT (default 59092). Usage: kafka.sh start|stop|status
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/env.sh"

KAFKA_PORT="${SEXTANT_KAFKA_PORT:-59092}"
CONTROLLER_PORT=$((KAFKA_PORT + 1))
HERE="$SEXTANT_ROOT/tools/stack/kafka"
# SEXTANT_KAFKA_HOME: another broker's data and logs (e.g. a test's private broker); the jars are shared.
KAFKA_HOME="${SEXTANT_KAFKA_HOME:-$SEXTANT_STATE/kafka}"
LIBS="$SEXTANT_STATE/kafka/libs"
PIDFILE="$KAFKA_HOME/kafka.pid"
LOG="$KAFKA_HOME/kafka.log"

fetch_jars() {
  local stamp="$LIBS/.pom-sha"
  local want; want="$(sha1sum "$HERE/pom.xml" | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  command -v java >/dev/null || sextant_die "java (17+) is required to run the local Kafka broker"
  command -v mvn >/dev/null || sextant_die "mvn is required to fetch Kafka's jars from Maven Central"
  sextant_log "fetching Apache Kafka jars from Maven Central"
  rm -rf "$LIBS" && mkdir -p "$LIBS"
  mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" \
    || sextant_die "mvn could not fetch Kafka's jars"
  echo "$want" >"$stamp"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; }

kafka_java() {
  java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$HERE/log4j.properties" -cp "$LIBS/*" "$@"
}

start() {
  if running; then sextant_log "Kafka already running on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  listening && sextant_die "port $KAFKA_PORT is taken by another process: set SEXTANT_KAFKA_PORT"
  fetch_jars
  mkdir -p "$KAFKA_HOME/data"
  sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" -e "s#@DATA@#$KAFKA_HOME/data#g" \
    "$HERE/server.properties.template" >"$KAFKA_HOME/server.properties"
  if [ ! -f "$KAFKA_HOME/data/meta.properties" ]; then
    kafka_java kafka.tools.StorageTool format -t "$(kafka_java kafka.tools.StorageTool random-uuid)" \
      -c "$KAFKA_HOME/server.properties" >/dev/null
  fi
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$HERE/log4j.properties" -cp "$LIBS/*" \
    kafka.Kafka "$KAFKA_HOME/server.properties" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$LOG" 2>/dev/null; then
      sextant_log "Kafka running on 127.0.0.1:$KAFKA_PORT"; return 0
    fi
    running || { tail -30 "$LOG" >&2; sextant_die "Kafka exited during start (log: $LOG)"; }
    sleep 0.5
  done
  tail -30 "$LOG" >&2; sextant_die "Kafka did not start within 60 s (log: $LOG)"
}

stop() {
  running || { rm -f "$PIDFILE"; return 0; }
  local pid; pid="$(cat "$PIDFILE")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  sextant_log "Kafka stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill) running && kill -9 "$(cat "$PIDFILE")"; rm -f "$PIDFILE" ;;
  status) running && echo running || echo stopped ;;
  brokers) echo "127.0.0.1:$KAFKA_PORT" ;;
  *) echo "usage: $0 start|stop|kill|status|brokers" >&2; exit 2 ;;
esac
