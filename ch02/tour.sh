# shellcheck shell=bash
# The chapter 2 tour (./workbook tour ch02): every client against real
# servers, offline. The book's clients talk to www.google.com and
# time.nist.gov; here chapter 2's lab (tests/lab/lab, a private network
# namespace, in a user namespace for a normal user) has its own /etc/hosts
# that puts both names on loopback, where nginx serves HTTP on port 80 and
# xinetd the time on UDP port 37. Sourced by ./workbook, which provides
# section, say, show, show_sh, start, await, finish, lab_up, in_lab and $B.

# lab_start_bg NAME CMD...: start's background CMD, inside the lab
lab_start_bg() { local name=$1; shift; start "$name" nsenter -t "${LAB_PIDS[ch02]}" "${ENTER_USERNS[@]}" -n -m --wd="$PWD" -- "$@"; }

tour_ch02() {
  printf '\n\033[1m######## Chapter 2: Network Clients\033[0m\n'
  say "The lab (tests/lab/ch02; ./workbook lab ch02 opens a shell in it): nginx"
  say "as www.google.com (TCP 80), xinetd's time as time.nist.gov (UDP 37), socat"
  say "as a UDP echo server (7), a wrong time server (3737) and a server that"
  say "closes at once (8001). 'in_lab ch02 CMD' runs CMD inside it."
  lab_up ch02 || return 1
  show in_lab ch02 cat /etc/hosts

  section ch02/connect
  say "The book's invocation: no arguments, www.google.com port 80 (nginx in the lab)."
  show in_lab ch02 "$B/ch02/connect"
  say "A PORT that is neither a number nor a service is a usage error:"
  show "$B/ch02/connect" 127.0.0.1 nosuchport

  section ch02/connect2
  say "Port 80 found by name: getservbyname(\"http\", \"tcp\") reads /etc/services."
  show in_lab ch02 "$B/ch02/connect2"

  section ch02/connect3
  say "Both ends of the connection: our ephemeral port, and the server's address."
  show in_lab ch02 "$B/ch02/connect3"
  say "The same over IPv6 (nginx listens on ::1 too):"
  show in_lab ch02 "$B/ch02/connect3" ::1 80

  section ch02/socketerrors
  say "A page, the port given by name:"
  show in_lab ch02 "$B/ch02/socketerrors" www.google.com http /
  say "Each step failing in its own way:"
  show in_lab ch02 "$B/ch02/socketerrors" www.google.com nosuchport /
  show in_lab ch02 "$B/ch02/socketerrors" no.such.host.example 80 /
  show in_lab ch02 "$B/ch02/socketerrors" www.google.com 81 /

  section ch02/shutdown
  say "A normal run (the sleep shortened to 1 s): the reply follows shutdown()."
  show in_lab ch02 "$B/ch02/shutdown" --sleep 1 www.google.com http /
  say "A server that closes at once (socat running true on port 8001): the close"
  say "happens during our sleep; send() succeeds, the server's kernel answers the"
  say "request with a reset, and shutdown() finds the connection gone."
  show in_lab ch02 "$B/ch02/shutdown" --sleep 1 127.0.0.1 8001 /

  section ch02/shutdownfile
  say "The same through the book's unbuffered file object (makefile('rw', 0)): write()"
  say "sends at once; the server's reset answers that send, so shutdown() still reports it."
  show in_lab ch02 "$B/ch02/shutdownfile" --sleep 1 127.0.0.1 8001 /

  section ch02/udp
  say "One datagram to a UDP echo server (socat on the echo port, 7), then Ctrl-C."
  say "(A program left running in the lab starts under nsenter, which is what in_lab runs.)"
  lab_start_bg udp sh -c "echo '  Hello, UDP!  ' | $B/ch02/udp 127.0.0.1 echo"
  await udp 'Received:'
  finish udp
  say "Over IPv6:"
  lab_start_bg udp6 sh -c "echo 'Hello over IPv6' | $B/ch02/udp ::1 7"
  await udp6 'Received:'
  finish udp6
  if [ -x "$B/ch03/udpechoserver" ]; then
    say "Against chapter 3's UDP echo server:"
    start udpecho "$B/ch03/udpechoserver" --port 0
    await udpecho 'port [0-9]+'
    start udp3 sh -c "echo 'Hello, chapter 3' | $B/ch02/udp 127.0.0.1 $(port_of udpecho)"
    await udp3 'Received:'
    finish udp3
    finish udpecho
  fi
  say "No server on the port: the ICMP port unreachable comes back as an error."
  show in_lab ch02 sh -c "echo anyone | $B/ch02/udp 127.0.0.1 9"

  section ch02/udptime
  say "The book's invocation: time.nist.gov port 37 (xinetd's built-in time service)."
  show in_lab ch02 "$B/ch02/udptime"
  say "A server whose reply is not 4 bytes (socat answering 'hello' on port 3737):"
  show in_lab ch02 "$B/ch02/udptime" 127.0.0.1 3737
  say "No server: nothing comes back to an unconnected socket, so it waits; Ctrl-C:"
  lab_start_bg udptime "$B/ch02/udptime" 127.0.0.1 9
  await udptime 'press Ctrl-C'
  finish udptime

  finish lab-ch02
}
