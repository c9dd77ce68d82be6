# shellcheck shell=bash
# The chapter 1 tour (./workbook tour ch01): every program with its partner,
# on loopback. Sourced by ./workbook, which provides section, say, show,
# show_sh, show_offline, start, await, port_of, free_port, wait_port, finish and $B.

tour_ch01() {
  printf '\n\033[1m######## Chapter 1: Client/Server Networking\033[0m\n'

  local root=$TOUR_TMP/gopher gport wport sport
  mkdir -p "$root/docs"
  printf 'Hello from a local Gopher server.\nThis file is /hello.txt.\n' >"$root/hello.txt"
  printf 'A file in a sub-menu.\n' >"$root/docs/notes.txt"
  chmod -R a+rX "$TOUR_TMP"  # gophernicus serves only world-readable files

  say "The Gopher clients need a Gopher server: gophernicus, which socat"
  say "starts for each connection (it has no listening mode of its own)."
  gport=$(free_port)
  start gophernicus socat "TCP-LISTEN:$gport,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:/usr/sbin/gophernicus -h 127.0.0.1 -p $gport -r $root -nv -nr -nf -nd -ns,nofork"
  wait_port "$gport"

  section ch01/gopherclient
  say "Send a selector, print every byte of the reply. First the main menu:"
  show "$B/ch01/gopherclient" --port "$gport" 127.0.0.1 /
  say "then a document:"
  show "$B/ch01/gopherclient" --port "$gport" 127.0.0.1 /hello.txt

  section ch01/gopherclient2
  say "A name that does not resolve. (The tour runs this offline, in a private"
  say "namespace that knows only /etc/hosts, so no query leaves this machine.)"
  show_offline "$B/ch01/gopherclient2" nosuch.example.invalid /
  say "Without the try/catch, gopherclient reports the same error its own way:"
  show_offline "$B/ch01/gopherclient" nosuch.example.invalid /

  section ch01/gopherclient3
  say "The same request through the makefile()-style reader, line by line:"
  show "$B/ch01/gopherclient3" --port "$gport" 127.0.0.1 /docs/notes.txt

  section ch01/gopherlibclient
  say "libcurl does the socket work (Python's gopherlib):"
  show "$B/ch01/gopherlibclient" --port "$gport" 127.0.0.1 /hello.txt

  section ch01/urlclient
  say "libcurl given a gopher:// URL (Python's urllib):"
  show "$B/ch01/urlclient" --port "$gport" 127.0.0.1 /docs/notes.txt

  section ch01/download
  say "Any URL libcurl knows. A web server first: Python's http.server."
  wport=$(free_port)
  start http.server python3 -m http.server "$wport" --bind 127.0.0.1 --directory "$root"
  wait_port "$wport"
  show "$B/ch01/download" "http://127.0.0.1:$wport/hello.txt"
  show "$B/ch01/download" "gopher://127.0.0.1:$gport/0/docs/notes.txt"
  say "An HTTP error is an error:"
  show "$B/ch01/download" "http://127.0.0.1:$wport/missing.html"
  finish http.server

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
  finish gophernicus
}
