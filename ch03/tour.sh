# shellcheck shell=bash
# The chapter 3 tour (./workbook tour ch03): every server with a client, the
# inetd programs under xinetd and systemd-socket-activate, a syslog capture
# and the deadlock with its fix. Only loopback, or a private namespace made
# with unshare (in a user namespace for a normal user). xinetd needs real
# root (as_root: root, or sudo). Sourced by ./workbook, which provides
# section, say, show, show_sh, start, await, port_of, free_port, wait_port,
# finish, enter, in_lab, as_root, $B and $TOUR_TMP. A command run with
# in_lab ch03 is shown as ./workbook lab ch03 -- CMD.

# ch03_wait_quiet LOG: wait (up to 20 s) until LOG stops growing for 2 s;
# prints the last "Wrote N bytes" count in it.
ch03_wait_quiet() {
  local last=-1 now same=0 i
  for ((i = 0; i < 200 && same < 20; i++)); do
    now=$(tr '\r' '\n' <"$1" | grep -o 'Wrote [0-9]*' | tail -n 1)
    if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; last=$now; fi
    sleep 0.1
  done
  echo "${last#Wrote }"
}

# ch03_xinetd_conf PORT...: an xinetd configuration with the four inetd
# programs on the given loopback ports (tcp, tcp, udp, udp).
ch03_xinetd_conf() {
  local name type port args
  for spec in "inetdserver stream $1" "inetdsocket stream $2" \
    "inetdudpserver dgram $3 --pause 0.2" "inetdwaitserver dgram $4 --pause 0.3"; do
    read -r name type port args <<<"$spec"
    printf 'service %s\n{\n' "$name"
    printf '\ttype = UNLISTED\n\tsocket_type = %s\n\tprotocol = %s\n' "$type" \
      "$([ "$type" = stream ] && echo tcp || echo udp)"
    printf '\twait = %s\n\tuser = root\n\tbind = 127.0.0.1\n\tport = %s\n' \
      "$([ "$type" = stream ] && echo no || echo yes)" "$port"
    printf '\tserver = %s\n' "$PWD/$B/ch03/$name"
    [ -n "$args" ] && printf '\tserver_args = %s\n' "$args"
    printf '}\n'
  done
}

# ch03_serve NAME: start ch03's server NAME on any free port and wait until
# it has said which; then port_of NAME gives the port.
ch03_serve() {
  start "$1" "$B/ch03/$1" --port 0
  await "$1" 'port [0-9]+'
}

tour_ch03() {
  printf '\n\033[1m######## Chapter 3: Network Servers\033[0m\n'
  local port p1 p2 p3 p4 stuck

  section ch03/sockopts
  say "The SO_ options this system defines (the first ten, with --values):"
  show_sh "$B/ch03/sockopts --values | head -n 10"

  section ch03/basicserver
  say "socket, SO_REUSEADDR, bind, listen; then accept each client and hang up."
  start basicserver "$B/ch03/basicserver" --port 0
  await basicserver 'Waiting for connections'
  port=$(port_of basicserver)
  show nc -z 127.0.0.1 "$port"
  show nc -z ::1 "$port"
  finish basicserver

  section ch03/errorserver
  say "A client that resets its connection (socat, SO_LINGER 0) while the"
  say "server is stopped: getpeername() then fails, the server says so and goes on."
  ch03_serve errorserver
  port=$(port_of errorserver)
  kill -STOP -- "-${TOUR_PIDS[errorserver]}"
  show socat -u /dev/null "TCP:127.0.0.1:$port,so-linger=0"
  kill -CONT -- "-${TOUR_PIDS[errorserver]}"
  await errorserver 'getpeername'
  show_sh "head -c 64 /dev/urandom | nc -q 0 127.0.0.1 $port"
  show nc -z ::1 "$port"
  await errorserver "'::1'"
  finish errorserver

  section ch03/udpechoserver
  ch03_serve udpechoserver
  port=$(port_of udpechoserver)
  say "Chapter 2's udp client sends one datagram and prints what comes back:"
  show_sh "printf 'hello, udp\\n' | timeout --preserve-status -s INT 1 $B/ch02/udp 127.0.0.1 $port"
  show_sh "printf 'over IPv6\\n' | timeout --preserve-status -s INT 1 $B/ch02/udp ::1 $port"
  finish udpechoserver

  section ch03/udptimeserver
  ch03_serve udptimeserver
  port=$(port_of udptimeserver)
  say "Chapter 2's udptime asks it; the answer is a day behind:"
  show date
  show "$B/ch02/udptime" 127.0.0.1 "$port"
  finish udptimeserver

  section ch03/inetdserver
  say "xinetd runs the four inetd programs (configuration below), on free"
  say "loopback ports; each program reads and writes only stdin and stdout."
  local xinetd_ok=0
  as_root "xinetd (it cannot start services in a user namespace)" ch03 || xinetd_ok=1
  if [ "$xinetd_ok" -eq 0 ]; then
    p1=$(free_port); p2=$(free_port); p3=$((p1 + 1)); p4=$((p2 + 1))
    ch03_xinetd_conf "$p1" "$p2" "$p3" "$p4" >"$TOUR_TMP/xinetd.conf"
    show_sh "sed -n '/inetdserver/,/^}/p' $TOUR_TMP/xinetd.conf"
    start xinetd "${AS_ROOT[@]}" xinetd -dontfork -f "$TOUR_TMP/xinetd.conf" -pidfile "$TOUR_TMP/xinetd.pid"
    wait_port "$p1"
    show_sh "printf '  hello, inetd  \\n' | nc -q 2 127.0.0.1 $p1"
  fi

  section ch03/inetdsocket
  say "fd 0 is the TCP socket itself: getpeername() works."
  [ "$xinetd_ok" -eq 0 ] && show nc -q 2 127.0.0.1 "$p2"
  say "systemd-socket-activate does the same job (-a: a program per connection),"
  say "here on IPv6:"
  port=$(free_port)
  start ssa systemd-socket-activate -l "[::1]:$port" -a --inetd "$B/ch03/inetdsocket"
  await ssa 'Listening on'
  show nc -q 2 ::1 "$port"
  finish ssa

  section ch03/inetdudpserver
  say "dgram wait: the program gets xinetd's UDP socket; replies 0.2 s apart."
  if [ "$xinetd_ok" -eq 0 ]; then
    show_sh "echo hello | nc -u -w 3 127.0.0.1 $p3"
  else
    say "(systemd-socket-activate -d hands it the UDP socket the same way, once:)"
    port=$(free_port)
    start ssa_udp systemd-socket-activate -d -l "127.0.0.1:$port" --inetd "$B/ch03/inetdudpserver" --pause 0.2
    await ssa_udp 'Listening on'
    show_sh "echo hello | nc -u -w 3 127.0.0.1 $port"
    finish ssa_udp
  fi

  section ch03/inetdwaitserver
  say "It forks and the parent exits at once, so xinetd serves the next client"
  say "while the child is still sending to the first:"
  if [ "$xinetd_ok" -eq 0 ]; then
    start first sh -c "echo first | nc -u -w 3 127.0.0.1 $p4"
    await first 'Reply 1:'
    show_sh "echo second | nc -u -w 3 127.0.0.1 $p4"
    await first "done"
    finish first
    finish xinetd
  else
    as_root "xinetd's restart of a wait service" ch03 || true
  fi

  section ch03/syslogsample
  say "glibc's syslog() writes to /dev/log. Chapter 3's lab (tests/lab/ch03;"
  say "./workbook lab ch03 opens a shell in it) has a /dev of its own, a fresh"
  say "tmpfs, where rsyslog makes its own /dev/log and stores each message:"
  lab_up ch03 || return 1
  show in_lab ch03 "$B/ch03/syslogsample"
  show_sh "sleep 0.3; grep syslogsample $TOUR_TMP/lab-ch03/messages"

  section ch03/syslogserver
  say "The error-handling server, logging to syslog. A client sends a line with"
  say "a carriage return and a terminal escape: they are logged as escapes."
  start syslogserver in_lab ch03 "$B/ch03/syslogserver" --port 0
  await syslogserver 'port [0-9]+'
  port=$(port_of syslogserver)
  show_sh "printf 'hello, syslog\\nfake\\rdaemon.emerg root: forged\\033[2K\\n' | in_lab ch03 nc -q 2 127.0.0.1 $port"
  finish syslogserver
  show_sh "sleep 0.3; grep syslogserver $TOUR_TMP/lab-ch03/messages"

  section ch03/echoserver
  say "Every byte comes back:"
  ch03_serve echoserver
  port=$(port_of echoserver)
  show_sh "printf 'hello, echo\\n' | nc -q 2 127.0.0.1 $port"
  finish echoserver

  section ch03/echoclient
  say "The deadlock. In the lab, whose TCP buffers have the sizes of 2004's"
  say "Linux 2.6 (today's loopback buffers can grow to 32 MiB, and then 10 MiB"
  say "sometimes fit and it does not hang):"
  start echoserver in_lab ch03 "$B/ch03/echoserver" --port 0
  await echoserver 'port [0-9]+'
  port=$(port_of echoserver)
  start echoclient in_lab ch03 tests/lab/bin/wire --ladder "$B/ch03/echoclient" --port "$port"
  stuck=$(ch03_wait_quiet "$TOUR_TMP/echoclient.log")
  say "echoclient's count has not moved for 2 seconds: stuck at $stuck of 10485760"
  say "bytes. Both programs are alive, each blocked in send(), each waiting for"
  say "the other to read. Ctrl-C ends the client; the server reports the reset."
  say "The ladder (wire --ladder) shows the windows filling: data both ways at"
  say "first, then each side advertising a window of 0 (ACK win 0), and only"
  say "the kernels' probes until the RST of Ctrl-C:"
  finish echoclient
  echo

  section ch03/echoclient-nodeadlock
  say "poll() and a non-blocking socket: read the echo while sending."
  say "(On a terminal its count updates in place; here, into a file, only the totals.)"
  show in_lab ch03 "$B/ch03/echoclient-nodeadlock" --port "$port"
  finish echoserver
  finish lab-ch03
}
