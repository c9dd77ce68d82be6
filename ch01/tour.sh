# shellcheck shell=bash
# The chapter 1 tour (./workbook tour ch01): every program with its partner,
# on loopback or in chapter 1's lab. Sourced by ./workbook, which provides section, say, show,
# show_sh, start, await, port_of, finish, lab_up, in_lab and $B. A command
# run with in_lab chNN is shown as ./workbook lab chNN -- CMD.

tour_ch01() {
  printf '\n\033[1m######## Chapter 1: Client/Server Networking\033[0m\n'

  local sport

  say "The clients need a Gopher server: chapter 1's lab (tests/lab/ch01;"
  say "./workbook lab ch01 opens a shell in it) has gophernicus as quux.org, the"
  say "book's server, and nginx as www.quux.org, in a private network where"
  say "/etc/hosts points both names at loopback. './workbook lab ch01 -- CMD'"
  say "below runs CMD there (the tour starts the lab once for all of them)."
  lab_up ch01 || return 1

  section ch01/gopherclient
  say "Send a selector, print every byte of the reply. The book's invocation,"
  say "the main menu, run under wire --ladder: tcpdump captures every packet,"
  say "and the ladder below the output draws them: the handshake (SYN, SYN ACK,"
  say "ACK), the 3-byte selector, the reply, and the server closing first (FIN)."
  show in_lab ch01 tests/lab/bin/wire --ladder "$B/ch01/gopherclient" quux.org /
  say "then a document:"
  show in_lab ch01 "$B/ch01/gopherclient" quux.org /hello.txt

  section ch01/gopherclient2
  say "A name that does not resolve (the lab knows only its /etc/hosts, so no"
  say "query leaves this machine):"
  show in_lab ch01 "$B/ch01/gopherclient2" nosuch.example.invalid /
  say "Without the try/catch, gopherclient reports the same error its own way:"
  show in_lab ch01 "$B/ch01/gopherclient" nosuch.example.invalid /

  section ch01/gopherclient3
  say "The same request through the makefile()-style reader, line by line:"
  show in_lab ch01 "$B/ch01/gopherclient3" quux.org /docs/notes.txt

  section ch01/gopherlibclient
  say "libcurl does the socket work (Python's gopherlib):"
  show in_lab ch01 "$B/ch01/gopherlibclient" quux.org /hello.txt

  section ch01/urlclient
  say "libcurl given a gopher:// URL (Python's urllib):"
  show in_lab ch01 "$B/ch01/urlclient" quux.org /docs/notes.txt

  section ch01/download
  say "Any URL libcurl knows: a web page from nginx, then a Gopher document."
  show in_lab ch01 "$B/ch01/download" http://www.quux.org/hello.txt
  show in_lab ch01 "$B/ch01/download" gopher://quux.org/0/docs/notes.txt
  say "An HTTP error is an error:"
  show in_lab ch01 "$B/ch01/download" http://www.quux.org/missing.html

  section ch01/server
  say "The book's server, on a port the system picks (--port 0)."
  start server "$B/ch01/server" --port 0
  await server 'Server is running'
  sport=$(port_of server)
  say "A client over IPv4, and one over IPv6:"
  show_sh "printf 'Hello, server!\\n' | nc -q 2 127.0.0.1 $sport"
  show_sh "printf '  spaces around  \\n' | nc -q 2 ::1 $sport"
  say "Ctrl-C stops the server:"
  finish server
  finish lab-ch01
}
