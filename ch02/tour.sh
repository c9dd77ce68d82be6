# shellcheck shell=bash
# The chapter 2 tour (./workbook tour ch02): every client against real
# servers, offline. The book's clients talk to www.google.com and
# time.nist.gov; here chapter 2's lab (tests/lab/lab, a private network
# namespace, in a user namespace for a normal user) has its own /etc/hosts
# that puts both names on loopback, where nginx serves HTTP on port 80 and
# xinetd the time on UDP port 37. Sourced by ./workbook, which provides
# section, say, show, show_sh, start, start_sh, await, finish, lab_up, in_lab
# and $B. A command run with in_lab ch02 is shown as ./workbook lab ch02 -- CMD.

tour_ch02() {
  printf '\n\033[1m######## Chapter 2: Network Clients\033[0m\n'
  say "The lab (tests/lab/ch02; ./workbook lab ch02 opens a shell in it): nginx"
  say "as www.google.com (TCP 80), xinetd's time as time.nist.gov (UDP 37), socat"
  say "as a UDP echo server (7), a wrong time server (3737) and a server that"
  say "closes at once (8001). './workbook lab ch02 -- CMD' below runs CMD inside it."
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
  say "On the wire: connect() is the three-way handshake (SYN, SYN ACK, ACK);"
  say "the program then closes, and each side sends its FIN:"
  show in_lab ch02 tests/lab/bin/wire --ladder "$B/ch02/connect3"

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
  say "request with a reset, and shutdown() finds the connection gone. The"
  say "ladder shows it: the server's FIN at once, our request a second later,"
  say "and the RST that answers it:"
  show in_lab ch02 tests/lab/bin/wire --ladder "$B/ch02/shutdown" --sleep 1 127.0.0.1 8001 /

  section ch02/shutdownfile
  say "The same through the book's unbuffered file object (makefile('rw', 0)): write()"
  say "sends at once; the server's reset answers that send, so shutdown() still reports it."
  show in_lab ch02 "$B/ch02/shutdownfile" --sleep 1 127.0.0.1 8001 /

  section ch02/udp
  say "One datagram to a UDP echo server (socat on the echo port, 7), then Ctrl-C."
  start_sh udp "echo '  Hello, UDP!  ' | in_lab ch02 $B/ch02/udp 127.0.0.1 echo"
  await udp 'Received:'
  finish udp
  say "Over IPv6:"
  start_sh udp6 "echo 'Hello over IPv6' | in_lab ch02 $B/ch02/udp ::1 7"
  await udp6 'Received:'
  finish udp6
  if [ -x "$B/ch03/udpechoserver" ]; then
    say "Against chapter 3's UDP echo server:"
    start udpecho "$B/ch03/udpechoserver" --port 0
    await udpecho 'port [0-9]+'
    start_sh udp3 "echo 'Hello, chapter 3' | $B/ch02/udp 127.0.0.1 $(port_of udpecho)"
    await udp3 'Received:'
    finish udp3
    finish udpecho
  fi
  say "No server on the port: the kernel answers the datagram with an ICMP"
  say "port unreachable (the dotted arrow), and udp's next recvfrom() reports it"
  say "as an error:"
  show_sh "echo anyone | in_lab ch02 tests/lab/bin/wire --ladder $B/ch02/udp 127.0.0.1 9"

  section ch02/udptime
  say "The book's invocation: time.nist.gov port 37 (xinetd's built-in time service)."
  show in_lab ch02 "$B/ch02/udptime"
  say "A server whose reply is not 4 bytes (socat answering 'hello' on port 3737):"
  show in_lab ch02 "$B/ch02/udptime" 127.0.0.1 3737
  say "No server: nothing comes back to an unconnected socket, so it waits; Ctrl-C:"
  start udptime in_lab ch02 "$B/ch02/udptime" 127.0.0.1 9
  await udptime 'press Ctrl-C'
  finish udptime

  finish lab-ch02
}
